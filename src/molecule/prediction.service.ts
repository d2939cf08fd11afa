import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Page, toPage } from '../common/pagination';
import { Database } from '../database/database';
import { AbilityFactory, asSubject } from '../rbac/ability.factory';
import { Estimate } from './estimates/fox-equation';
import { parseTimestampCursor } from './mixture.cursor';
import { MixtureErrors } from './mixture.errors';
import { MixtureService } from './mixture.service';
import {
  AccuracyQuery,
  AccuracyRow,
  ComparisonView,
  CreatePredictionInput,
  ListPredictionsQuery,
  PredictionView,
  RecordedEstimates,
} from './prediction.dto';
import { NewPrediction, PredictionRepository, PredictionRow } from './prediction.repository';
import { PropertyTypeService } from './property-type.service';

/** Which property each of the service's own estimates predicts. */
const ESTIMATE_PROPERTIES = [
  { estimate: 'glassTransition', property: 'measured_tg' },
  { estimate: 'cryoprotectionScore', property: 'cryoprotection_score' },
] as const;

/** Predictions from any method, their comparison with measurements, and per-method accuracy. */
@Injectable()
export class PredictionService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly propertyTypes: PropertyTypeService,
    private readonly mixtures: MixtureService,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  async create(input: CreatePredictionInput, user: AuthUser): Promise<PredictionView> {
    return this.database.transaction(async (tx) => {
      if (!(await this.predictions.targetExists(input.target, tx))) {
        const field = input.target.mixtureId ? 'target.mixtureId' : 'target.moleculeId';
        throw MixtureErrors.unknownTarget(
          field,
          (input.target.mixtureId ?? input.target.moleculeId)!,
        );
      }
      const [canonicalValue] = await this.propertyTypes.toCanonical(
        [{ property: input.property, value: input.value, unit: input.unit, field: '' }],
        tx,
      );
      const [row] = await this.predictions.insert(
        [
          {
            mixtureId: input.target.mixtureId ?? null,
            moleculeId: input.target.moleculeId ?? null,
            propertyKey: input.property,
            value: input.value,
            unit: input.unit,
            canonicalValue,
            methodName: input.method.name,
            methodVersion: input.method.version,
            confidence: input.confidence ?? null,
            createdBy: user.id,
          },
        ],
        tx,
      );
      const view = toPredictionView(row);
      await this.audit.record(
        { action: 'prediction.create', entityType: 'Prediction', entityId: row.id, after: view },
        tx,
      );
      return view;
    });
  }

  /** Records the mixture's own derivable estimates (Fox Tg, weighted score) as predictions of their methods. */
  async recordEstimates(mixtureId: string, user: AuthUser): Promise<RecordedEstimates> {
    const mixture = await this.mixtures.get(mixtureId);
    const derivable: { estimate: Estimate; property: string }[] = [];
    const skipped: RecordedEstimates['skipped'] = [];
    for (const { estimate, property } of ESTIMATE_PROPERTIES) {
      const value = mixture.estimates[estimate];
      if (value.value === null) skipped.push({ method: value.method, missing: value.missing });
      else derivable.push({ estimate: value, property });
    }
    if (derivable.length === 0) return { recorded: [], skipped };
    return this.database.transaction(async (tx) => {
      const canonical = await this.propertyTypes.toCanonical(
        derivable.map(({ estimate, property }) => ({
          property,
          value: estimate.value!,
          unit: estimate.unit,
          field: `estimates.${property}`,
        })),
        tx,
      );
      const values: NewPrediction[] = derivable.map(({ estimate, property }, index) => ({
        mixtureId,
        propertyKey: property,
        value: estimate.value!,
        unit: estimate.unit,
        canonicalValue: canonical[index],
        methodName: estimate.method,
        methodVersion: estimate.version,
        confidence: null,
        createdBy: user.id,
      }));
      const rows = await this.predictions.insert(values, tx);
      for (const row of rows) {
        await this.audit.record(
          {
            action: 'prediction.create',
            entityType: 'Prediction',
            entityId: row.id,
            after: toPredictionView(row),
          },
          tx,
        );
      }
      return { recorded: rows.map(toPredictionView), skipped };
    });
  }

  async get(id: string): Promise<PredictionView> {
    const row = await this.predictions.findById(id);
    if (!row) throw MixtureErrors.notFound('Prediction', id);
    return toPredictionView(row);
  }

  async list(query: ListPredictionsQuery): Promise<Page<PredictionView>> {
    const cursor = query.cursor ? parseTimestampCursor(query.cursor) : undefined;
    const rows = await this.predictions.search(
      {
        mixtureId: query.mixtureId,
        moleculeId: query.moleculeId,
        property: query.property,
        method: query.method,
      },
      cursor ? { createdAt: cursor.at, id: cursor.id } : undefined,
      query.limit + 1,
    );
    const page = toPage(rows, query.limit, (row) => [row.sortKey, row.id]);
    return { items: page.items.map(toPredictionView), nextCursor: page.nextCursor };
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    await this.database.transaction(async (tx) => {
      const before = await this.predictions.findById(id, tx);
      if (!before) throw MixtureErrors.notFound('Prediction', id);
      const record: Record<string, unknown> = { ...before };
      if (!this.abilities.createForUser(user).can('delete', asSubject('Prediction', record))) {
        throw MixtureErrors.notOwner('predictions', 'delete');
      }
      await this.predictions.delete(id, tx);
      await this.audit.record(
        {
          action: 'prediction.delete',
          entityType: 'Prediction',
          entityId: id,
          before: toPredictionView(before),
        },
        tx,
      );
    });
  }

  /** Every prediction of the property for the mixture, each with every measurement of it. */
  async compare(mixtureId: string, property: string): Promise<ComparisonView> {
    await this.mixtures.get(mixtureId);
    const type = await this.propertyTypes.get(property);
    const [predicted, measured] = await Promise.all([
      this.predictions.findForMixture(mixtureId, property),
      this.predictions.findMeasurements(mixtureId, property),
    ]);
    return {
      mixtureId,
      property,
      unit: type.canonicalUnit,
      predictions: predicted.map((row) => ({
        prediction: toPredictionView(row),
        measurements: measured.map((measurement) => {
          const difference = row.canonicalValue - measurement.canonicalValue;
          return {
            ...measurement,
            difference,
            percentError:
              measurement.canonicalValue === 0
                ? null
                : (100 * difference) / Math.abs(measurement.canonicalValue),
          };
        }),
      })),
    };
  }

  async accuracy(query: AccuracyQuery): Promise<{ items: AccuracyRow[] }> {
    const rows = await this.predictions.accuracy(query);
    return {
      items: rows.map((row) => ({
        method: { name: row.methodName, version: row.methodVersion },
        property: row.propertyKey,
        unit: row.unit,
        count: row.count,
        mae: row.mae,
        rmse: row.rmse,
        bias: row.bias,
      })),
    };
  }
}

function toPredictionView(row: PredictionRow): PredictionView {
  return {
    id: row.id,
    target: row.mixtureId ? { mixtureId: row.mixtureId } : { moleculeId: row.moleculeId! },
    property: row.propertyKey,
    value: row.value,
    unit: row.unit,
    canonicalValue: row.canonicalValue,
    method: { name: row.methodName, version: row.methodVersion },
    confidence: row.confidence,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
