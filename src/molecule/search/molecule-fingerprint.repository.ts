import { Injectable } from '@nestjs/common';
import { asc, count, gt, gte, inArray, sql } from 'drizzle-orm';
import { Database } from '../../database/database';
import { molecules } from '../../database/schema/molecules';

/** What the search indexes keep per molecule. */
export interface SearchRow {
  id: string;
  fingerprint: Buffer;
  canonicalSmiles: string;
}

/** The molecules table as seen by search: counts and timestamps for replica sync, as text. */
export interface TableVersion {
  count: number;
  /** max(updated_at) as Postgres text (microseconds kept), null on an empty table. */
  maxUpdatedAt: string | null;
}

export interface MoleculeSummary {
  id: string;
  name: string;
  canonicalSmiles: string;
  inchikey: string;
  molecularWeight: number;
  score: number;
}

const searchColumns = {
  id: molecules.id,
  fingerprint: molecules.fingerprint,
  canonicalSmiles: molecules.canonicalSmiles,
};

/** Reads for the in-memory search indexes; no writes. */
@Injectable()
export class MoleculeFingerprintRepository {
  constructor(private readonly database: Database) {}

  /** Every molecule's search row, in id order, batchSize rows per query (keyset pagination). */
  async *streamSearchRows(batchSize: number): AsyncGenerator<SearchRow[]> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.database.db
        .select(searchColumns)
        .from(molecules)
        .where(after === undefined ? undefined : gt(molecules.id, after))
        .orderBy(asc(molecules.id))
        .limit(batchSize);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  async readVersion(): Promise<TableVersion> {
    const [row] = await this.database.db
      .select({
        count: count(),
        maxUpdatedAt: sql<string | null>`max(${molecules.updatedAt})::text`,
      })
      .from(molecules);
    return { count: Number(row?.count ?? 0), maxUpdatedAt: row?.maxUpdatedAt ?? null };
  }

  /** Rows inserted or updated at or after the watermark (inclusive: equal timestamps are re-read). */
  findSearchRowsUpdatedSince(watermark: string): Promise<SearchRow[]> {
    return this.database.db
      .select(searchColumns)
      .from(molecules)
      .where(gte(molecules.updatedAt, sql`${watermark}::timestamptz`));
  }

  async listIds(): Promise<string[]> {
    const rows = await this.database.db.select({ id: molecules.id }).from(molecules);
    return rows.map((row) => row.id);
  }

  findSearchRowsByIds(ids: string[]): Promise<SearchRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.database.db.select(searchColumns).from(molecules).where(inArray(molecules.id, ids));
  }

  /** Summaries of the given molecules in one query (order not guaranteed). */
  findSummariesByIds(ids: string[]): Promise<MoleculeSummary[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.database.db
      .select({
        id: molecules.id,
        name: molecules.name,
        canonicalSmiles: molecules.canonicalSmiles,
        inchikey: molecules.inchikey,
        molecularWeight: molecules.molecularWeight,
        score: molecules.score,
      })
      .from(molecules)
      .where(inArray(molecules.id, ids));
  }
}
