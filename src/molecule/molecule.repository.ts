import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, getTableColumns, gt, gte, inArray, lte, SQL, sql } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { molecules } from '../database/schema/molecules';
import { MoleculeSortField } from './molecule.dto';

export type MoleculeRow = typeof molecules.$inferSelect;
export type NewMoleculeRow = typeof molecules.$inferInsert;
export type MoleculeChanges = Partial<Omit<NewMoleculeRow, 'id' | 'createdAt' | 'createdBy'>>;

export interface MoleculeFilters {
  /** Case-insensitive substring of the name, a synonym, the formula or the InChIKey. */
  text?: string;
  ranges: {
    column: 'molecularWeight' | 'logp' | 'tpsa' | 'hbd' | 'hba' | 'score';
    min?: number;
    max?: number;
  }[];
}

export interface MoleculeSort {
  field: MoleculeSortField;
  direction: 'asc' | 'desc';
}

/** Keyset position: the sort value as Postgres text (exact, microseconds kept) and the row id. */
export interface MoleculeCursor {
  value: string;
  id: string;
}

export type MoleculeListRow = MoleculeRow & { sortKey: string };

// Sort expressions with the SQL type their cursor text is cast back to.
const sortColumns: Record<MoleculeSortField, { expression: SQL; type: string }> = {
  name: { expression: sql`lower(${molecules.name})`, type: 'text' },
  molecularWeight: { expression: sql`${molecules.molecularWeight}`, type: 'double precision' },
  score: { expression: sql`${molecules.score}`, type: 'double precision' },
  createdAt: { expression: sql`${molecules.createdAt}`, type: 'timestamptz' },
};

/** The Postgres error code of a failed query (drizzle wraps the driver's error as `cause`). */
export function databaseErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
/** A delete blocked by a referencing row: 23503, or 23001 for ON DELETE RESTRICT from PostgreSQL 18 (PGlite). */
export const REFERENCED_ROW_CODES: readonly string[] = ['23503', '23001'];

@Injectable()
export class MoleculeRepository {
  constructor(private readonly database: Database) {}

  async findById(id: string, tx?: Db): Promise<MoleculeRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(molecules)
      .where(eq(molecules.id, id))
      .limit(1);
    return row;
  }

  async findByInchikey(inchikey: string, tx?: Db): Promise<MoleculeRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(molecules)
      .where(eq(molecules.inchikey, inchikey))
      .limit(1);
    return row;
  }

  async findIdByInchikey(inchikey: string): Promise<string | undefined> {
    const [row] = await this.database.db
      .select({ id: molecules.id })
      .from(molecules)
      .where(eq(molecules.inchikey, inchikey))
      .limit(1);
    return row?.id;
  }

  /** One query for any number of ids (mixture components, search hits); missing ids are simply absent. */
  async findByIds(ids: readonly string[]): Promise<MoleculeRow[]> {
    if (ids.length === 0) return [];
    return this.database.db
      .select()
      .from(molecules)
      .where(inArray(molecules.id, [...ids]));
  }

  async countAll(): Promise<number> {
    const [row] = await this.database.db.select({ total: count() }).from(molecules);
    return Number(row?.total ?? 0);
  }

  async insert(row: NewMoleculeRow, tx?: Db): Promise<MoleculeRow> {
    const [inserted] = await (tx ?? this.database.db).insert(molecules).values(row).returning();
    return inserted;
  }

  async update(id: string, changes: MoleculeChanges, tx?: Db): Promise<MoleculeRow | undefined> {
    const [updated] = await (tx ?? this.database.db)
      .update(molecules)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(molecules.id, id))
      .returning();
    return updated;
  }

  async delete(id: string, tx?: Db): Promise<boolean> {
    const deleted = await (tx ?? this.database.db)
      .delete(molecules)
      .where(eq(molecules.id, id))
      .returning({ id: molecules.id });
    return deleted.length > 0;
  }

  /** Keyset page ordered by (sort value, id); `limit` rows at most. */
  async search(
    filters: MoleculeFilters,
    sort: MoleculeSort,
    cursor: MoleculeCursor | undefined,
    limit: number,
  ): Promise<MoleculeListRow[]> {
    const conditions: SQL[] = [];
    if (filters.text) {
      const pattern = `%${filters.text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      conditions.push(
        sql`(${molecules.name} ILIKE ${pattern} OR ${molecules.formula} ILIKE ${pattern} OR ${molecules.inchikey} ILIKE ${pattern} OR EXISTS (SELECT 1 FROM unnest(${molecules.synonyms}) AS synonym WHERE synonym ILIKE ${pattern}))`,
      );
    }
    for (const range of filters.ranges) {
      if (range.min !== undefined) conditions.push(gte(molecules[range.column], range.min));
      if (range.max !== undefined) conditions.push(lte(molecules[range.column], range.max));
    }
    const { expression, type } = sortColumns[sort.field];
    if (cursor) {
      const comparison = sort.direction === 'asc' ? sql.raw('>') : sql.raw('<');
      conditions.push(
        sql`(${expression}, ${molecules.id}) ${comparison} (CAST(${cursor.value} AS ${sql.raw(type)}), CAST(${cursor.id} AS uuid))`,
      );
    }
    const direction = sql.raw(sort.direction === 'asc' ? 'ASC' : 'DESC');
    return this.database.db
      .select({ ...getTableColumns(molecules), sortKey: sql<string>`(${expression})::text` })
      .from(molecules)
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(sql`${expression} ${direction}`, sql`${molecules.id} ${direction}`)
      .limit(limit);
  }

  /** Every molecule in id order, in batches (export streams these). */
  async findBatchAfter(afterId: string | undefined, limit: number): Promise<MoleculeRow[]> {
    return this.database.db
      .select()
      .from(molecules)
      .where(afterId ? gt(molecules.id, afterId) : undefined)
      .orderBy(asc(molecules.id))
      .limit(limit);
  }
}
