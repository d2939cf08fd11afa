import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Page, toPage } from '../common/pagination';
import { Database, Db } from '../database/database';
import { AbilityFactory, asSubject } from '../rbac/ability.factory';
import {
  CreateExperimentInput,
  ExperimentView,
  ListExperimentsQuery,
  ProtocolInput,
  ResultInput,
  UpdateExperimentInput,
} from './experiment.dto';
import {
  ExperimentRepository,
  ExperimentRow,
  NewExperiment,
  NewResult,
  ResultRow,
} from './experiment.repository';
import { parseTimestampCursor } from './mixture.cursor';
import { MixtureErrors } from './mixture.errors';
import { PropertyTypeService } from './property-type.service';
import { convertPropertyValue } from './units/property-units';

/** Experiments on a mixture with their protocol and results; results are checked against the property registry. */
@Injectable()
export class ExperimentService {
  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly propertyTypes: PropertyTypeService,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  async create(input: CreateExperimentInput, user: AuthUser): Promise<ExperimentView> {
    return this.database.transaction(async (tx) => {
      if (!(await this.experiments.mixtureExists(input.mixtureId, tx))) {
        throw MixtureErrors.unknownMixture('mixtureId', input.mixtureId);
      }
      const results = await this.checkedResults(input.results, tx);
      const row = await this.experiments.insert(
        {
          mixtureId: input.mixtureId,
          title: input.title,
          sampleType: input.sampleType,
          ...protocolColumns(input.protocol),
          performedAt: new Date(input.performedAt),
          notes: input.notes ?? null,
          createdBy: user.id,
        },
        tx,
      );
      await this.experiments.replaceResults(row.id, results, tx);
      const view = await this.viewOf(row, tx);
      await this.audit.record(
        { action: 'experiment.create', entityType: 'Experiment', entityId: row.id, after: view },
        tx,
      );
      return view;
    });
  }

  async get(id: string): Promise<ExperimentView> {
    const row = await this.experiments.findById(id);
    if (!row) throw MixtureErrors.notFound('Experiment', id);
    return this.viewOf(row);
  }

  async list(query: ListExperimentsQuery): Promise<Page<ExperimentView>> {
    const cursor = query.cursor ? parseTimestampCursor(query.cursor) : undefined;
    const rows = await this.experiments.search(
      {
        mixtureId: query.mixtureId,
        sampleType: query.sampleType,
        performedFrom: query.performedFrom,
        performedTo: query.performedTo,
        property: query.property,
      },
      cursor ? { performedAt: cursor.at, id: cursor.id } : undefined,
      query.limit + 1,
    );
    const page = toPage(rows, query.limit, (row) => [row.sortKey, row.id]);
    const results = await this.experiments.findResultsOf(page.items.map((row) => row.id));
    return {
      items: page.items.map((row) => toExperimentView(row, results)),
      nextCursor: page.nextCursor,
    };
  }

  async update(id: string, input: UpdateExperimentInput, user: AuthUser): Promise<ExperimentView> {
    return this.database.transaction(async (tx) => {
      const before = await this.experiments.findById(id, tx);
      if (!before) throw MixtureErrors.notFound('Experiment', id);
      this.assertMay(user, 'update', before);
      const beforeView = await this.viewOf(before, tx);
      const results = input.results ? await this.checkedResults(input.results, tx) : undefined;
      const changes: Partial<NewExperiment> = {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.sampleType !== undefined ? { sampleType: input.sampleType } : {}),
        ...(input.protocol ? protocolColumns(input.protocol) : {}),
        ...(input.performedAt !== undefined ? { performedAt: new Date(input.performedAt) } : {}),
        ...(input.notes !== undefined ? { notes: input.notes } : {}),
      };
      const row = await this.experiments.update(id, changes, tx);
      if (results) await this.experiments.replaceResults(id, results, tx);
      const after = await this.viewOf(row, tx);
      await this.audit.record(
        {
          action: 'experiment.update',
          entityType: 'Experiment',
          entityId: id,
          before: beforeView,
          after,
        },
        tx,
      );
      return after;
    });
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    await this.database.transaction(async (tx) => {
      const before = await this.experiments.findById(id, tx);
      if (!before) throw MixtureErrors.notFound('Experiment', id);
      this.assertMay(user, 'delete', before);
      const view = await this.viewOf(before, tx);
      await this.experiments.delete(id, tx);
      await this.audit.record(
        { action: 'experiment.delete', entityType: 'Experiment', entityId: id, before: view },
        tx,
      );
    });
  }

  private async viewOf(row: ExperimentRow, tx?: Db): Promise<ExperimentView> {
    return toExperimentView(row, await this.experiments.findResultsOf([row.id], tx));
  }

  private async checkedResults(results: ResultInput[], tx: Db): Promise<NewResult[]> {
    const canonical = await this.propertyTypes.toCanonical(
      results.map((result, index) => ({ ...result, field: `results.${index}` })),
      tx,
    );
    return results.map((result, index) => ({
      propertyKey: result.property,
      value: result.value,
      unit: result.unit,
      canonicalValue: canonical[index],
      uncertainty: result.uncertainty ?? null,
      n: result.n ?? null,
    }));
  }

  private assertMay(user: AuthUser, action: 'update' | 'delete', row: ExperimentRow): void {
    const record: Record<string, unknown> = { ...row };
    if (!this.abilities.createForUser(user).can(action, asSubject('Experiment', record))) {
      throw MixtureErrors.notOwner('experiments', action);
    }
  }
}

/** Stored in °C and °C/min whatever unit was given (a rate in K/min has the same magnitude). */
function protocolColumns(protocol: ProtocolInput): Partial<NewExperiment> {
  return {
    coolingRateCPerMin: protocol.coolingRate.value,
    warmingRateCPerMin: protocol.warmingRate.value,
    storageTemperatureC: convertPropertyValue(
      protocol.storageTemperature.value,
      protocol.storageTemperature.unit,
      '°C',
    ),
    loadingSteps: protocol.loadingSteps ?? [],
  };
}

function toExperimentView(row: ExperimentRow, results: ResultRow[]): ExperimentView {
  return {
    id: row.id,
    mixtureId: row.mixtureId,
    title: row.title,
    sampleType: row.sampleType,
    protocol: {
      coolingRate:
        row.coolingRateCPerMin === null ? null : { value: row.coolingRateCPerMin, unit: '°C/min' },
      warmingRate:
        row.warmingRateCPerMin === null ? null : { value: row.warmingRateCPerMin, unit: '°C/min' },
      storageTemperature:
        row.storageTemperatureC === null ? null : { value: row.storageTemperatureC, unit: '°C' },
      loadingSteps: row.loadingSteps,
    },
    performedAt: row.performedAt.toISOString(),
    notes: row.notes,
    results: results
      .filter((result) => result.experimentId === row.id)
      .map((result) => ({
        id: result.id,
        property: result.propertyKey,
        value: result.value,
        unit: result.unit,
        canonicalValue: result.canonicalValue,
        uncertainty: result.uncertainty,
        n: result.n,
      })),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
