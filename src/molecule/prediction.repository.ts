import { Injectable } from '@nestjs/common';
import {
  and,
  asc,
  eq,
  getTableColumns,
  InferInsertModel,
  InferSelectModel,
  sql,
  SQL,
} from 'drizzle-orm';
import { Database, Db } from '../database/database';
import {
  experimentResults,
  experiments,
  mixtures,
  molecules,
  predictions,
  propertyTypes,
} from '../database/schema';

export type PredictionRow = InferSelectModel<typeof predictions>;
export type NewPrediction = InferInsertModel<typeof predictions>;
export type PredictionListRow = PredictionRow & { sortKey: string };

export interface PredictionFilters {
  mixtureId?: string;
  moleculeId?: string;
  property?: string;
  method?: string;
}

export interface MeasurementRow {
  experimentId: string;
  resultId: string;
  value: number;
  unit: string;
  canonicalValue: number;
  uncertainty: number | null;
  n: number | null;
}

export interface AccuracyAggregate {
  methodName: string;
  methodVersion: string;
  propertyKey: string;
  unit: string;
  count: number;
  mae: number;
  rmse: number;
  bias: number;
}

@Injectable()
export class PredictionRepository {
  constructor(private readonly database: Database) {}

  /** Locks the target row (FOR SHARE) so it cannot vanish before the prediction commits. */
  async targetExists(
    target: { mixtureId?: string; moleculeId?: string },
    tx: Db,
  ): Promise<boolean> {
    const rows = target.mixtureId
      ? await tx
          .select({ id: mixtures.id })
          .from(mixtures)
          .where(eq(mixtures.id, target.mixtureId))
          .for('share')
      : await tx
          .select({ id: molecules.id })
          .from(molecules)
          .where(eq(molecules.id, target.moleculeId!))
          .for('share');
    return rows.length > 0;
  }

  async insert(values: NewPrediction[], tx: Db): Promise<PredictionRow[]> {
    return tx.insert(predictions).values(values).returning();
  }

  async findById(id: string, tx?: Db): Promise<PredictionRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(predictions)
      .where(eq(predictions.id, id))
      .limit(1);
    return row;
  }

  async search(
    filters: PredictionFilters,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<PredictionListRow[]> {
    const conditions: SQL[] = [];
    if (filters.mixtureId) conditions.push(eq(predictions.mixtureId, filters.mixtureId));
    if (filters.moleculeId) conditions.push(eq(predictions.moleculeId, filters.moleculeId));
    if (filters.property) conditions.push(eq(predictions.propertyKey, filters.property));
    if (filters.method) conditions.push(eq(predictions.methodName, filters.method));
    if (after) {
      conditions.push(
        sql`(${predictions.createdAt}, ${predictions.id}) > (CAST(${after.createdAt} AS timestamptz), CAST(${after.id} AS uuid))`,
      );
    }
    return this.database.db
      .select({
        ...getTableColumns(predictions),
        sortKey: sql<string>`(${predictions.createdAt})::text`,
      })
      .from(predictions)
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(asc(predictions.createdAt), asc(predictions.id))
      .limit(limit);
  }

  async findForMixture(mixtureId: string, propertyKey: string): Promise<PredictionRow[]> {
    return this.database.db
      .select()
      .from(predictions)
      .where(and(eq(predictions.mixtureId, mixtureId), eq(predictions.propertyKey, propertyKey)))
      .orderBy(asc(predictions.createdAt), asc(predictions.id));
  }

  async findMeasurements(mixtureId: string, propertyKey: string): Promise<MeasurementRow[]> {
    return this.database.db
      .select({
        experimentId: experimentResults.experimentId,
        resultId: experimentResults.id,
        value: experimentResults.value,
        unit: experimentResults.unit,
        canonicalValue: experimentResults.canonicalValue,
        uncertainty: experimentResults.uncertainty,
        n: experimentResults.n,
      })
      .from(experimentResults)
      .innerJoin(experiments, eq(experiments.id, experimentResults.experimentId))
      .where(
        and(eq(experiments.mixtureId, mixtureId), eq(experimentResults.propertyKey, propertyKey)),
      )
      .orderBy(asc(experiments.performedAt), asc(experiments.createdAt), asc(experimentResults.id));
  }

  /**
   * Count, MAE, RMSE and bias per method and property over every (prediction, measurement) pair of
   * the same mixture and property — aggregated in SQL, never loading the pairs.
   */
  async accuracy(filters: { property?: string; method?: string }): Promise<AccuracyAggregate[]> {
    const conditions: SQL[] = [];
    if (filters.property) conditions.push(sql`p.property_key = ${filters.property}`);
    if (filters.method) conditions.push(sql`p.method_name = ${filters.method}`);
    const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
    const rows = await this.database.execute<{
      method_name: string;
      method_version: string;
      property_key: string;
      unit: string;
      count: number | string;
      mae: number | string;
      rmse: number | string;
      bias: number | string;
    }>(sql`
      SELECT p.method_name, p.method_version, p.property_key, t.canonical_unit AS unit,
             count(*)::integer AS count,
             avg(abs(p.canonical_value - r.canonical_value)) AS mae,
             sqrt(avg((p.canonical_value - r.canonical_value) ^ 2)) AS rmse,
             avg(p.canonical_value - r.canonical_value) AS bias
      FROM ${predictions} p
      JOIN ${experiments} e ON e.mixture_id = p.mixture_id
      JOIN ${experimentResults} r ON r.experiment_id = e.id AND r.property_key = p.property_key
      JOIN ${propertyTypes} t ON t.key = p.property_key
      ${where}
      GROUP BY p.method_name, p.method_version, p.property_key, t.canonical_unit
      ORDER BY p.method_name, p.method_version, p.property_key`);
    return rows.map((row) => ({
      methodName: row.method_name,
      methodVersion: row.method_version,
      propertyKey: row.property_key,
      unit: row.unit,
      count: Number(row.count),
      mae: Number(row.mae),
      rmse: Number(row.rmse),
      bias: Number(row.bias),
    }));
  }

  async delete(id: string, tx: Db): Promise<void> {
    await tx.delete(predictions).where(eq(predictions.id, id));
  }
}
