import { Injectable } from '@nestjs/common';
import {
  and,
  asc,
  eq,
  getTableColumns,
  gte,
  inArray,
  InferInsertModel,
  InferSelectModel,
  lte,
  sql,
  SQL,
} from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { experimentResults, experiments, mixtures, SampleType } from '../database/schema';

export type ExperimentRow = InferSelectModel<typeof experiments>;
export type NewExperiment = InferInsertModel<typeof experiments>;
export type ResultRow = InferSelectModel<typeof experimentResults>;
export type NewResult = Omit<InferInsertModel<typeof experimentResults>, 'experimentId' | 'id'>;
export type ExperimentListRow = ExperimentRow & { sortKey: string };

export interface ExperimentFilters {
  mixtureId?: string;
  sampleType?: SampleType;
  performedFrom?: string;
  performedTo?: string;
  property?: string;
}

@Injectable()
export class ExperimentRepository {
  constructor(private readonly database: Database) {}

  /** Locks the mixture row (FOR SHARE) so it cannot be deleted while an experiment is added to it. */
  async mixtureExists(id: string, tx: Db): Promise<boolean> {
    const rows = await tx
      .select({ id: mixtures.id })
      .from(mixtures)
      .where(eq(mixtures.id, id))
      .for('share');
    return rows.length > 0;
  }

  async insert(values: NewExperiment, tx: Db): Promise<ExperimentRow> {
    const [row] = await tx.insert(experiments).values(values).returning();
    return row;
  }

  async replaceResults(experimentId: string, rows: NewResult[], tx: Db): Promise<void> {
    await tx.delete(experimentResults).where(eq(experimentResults.experimentId, experimentId));
    if (rows.length > 0)
      await tx.insert(experimentResults).values(rows.map((row) => ({ ...row, experimentId })));
  }

  async findById(id: string, tx?: Db): Promise<ExperimentRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(experiments)
      .where(eq(experiments.id, id))
      .limit(1);
    return row;
  }

  /** Every result of the given experiments in ONE query. */
  async findResultsOf(experimentIds: string[], tx?: Db): Promise<ResultRow[]> {
    if (experimentIds.length === 0) return [];
    return (tx ?? this.database.db)
      .select()
      .from(experimentResults)
      .where(inArray(experimentResults.experimentId, experimentIds))
      .orderBy(asc(experimentResults.experimentId), asc(experimentResults.propertyKey));
  }

  /** A page in order of performance date (keyset on performed_at, id). */
  async search(
    filters: ExperimentFilters,
    after: { performedAt: string; id: string } | undefined,
    limit: number,
  ): Promise<ExperimentListRow[]> {
    const conditions: SQL[] = [];
    if (filters.mixtureId) conditions.push(eq(experiments.mixtureId, filters.mixtureId));
    if (filters.sampleType) conditions.push(eq(experiments.sampleType, filters.sampleType));
    if (filters.performedFrom)
      conditions.push(gte(experiments.performedAt, new Date(filters.performedFrom)));
    if (filters.performedTo)
      conditions.push(lte(experiments.performedAt, new Date(filters.performedTo)));
    if (filters.property) {
      conditions.push(
        sql`EXISTS (SELECT 1 FROM ${experimentResults} WHERE ${experimentResults.experimentId} = ${experiments.id} AND ${experimentResults.propertyKey} = ${filters.property})`,
      );
    }
    if (after) {
      conditions.push(
        sql`(${experiments.performedAt}, ${experiments.id}) > (CAST(${after.performedAt} AS timestamptz), CAST(${after.id} AS uuid))`,
      );
    }
    return this.database.db
      .select({
        ...getTableColumns(experiments),
        sortKey: sql<string>`(${experiments.performedAt})::text`,
      })
      .from(experiments)
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(asc(experiments.performedAt), asc(experiments.id))
      .limit(limit);
  }

  async update(id: string, changes: Partial<NewExperiment>, tx: Db): Promise<ExperimentRow> {
    const [row] = await tx
      .update(experiments)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(experiments.id, id))
      .returning();
    return row;
  }

  async delete(id: string, tx: Db): Promise<void> {
    await tx.delete(experiments).where(eq(experiments.id, id));
  }
}
