import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** The domain tables counted by the domain gauges. */
export const DOMAIN_TABLES = ['molecules', 'mixtures', 'experiments'] as const;
export type DomainTable = (typeof DOMAIN_TABLES)[number];

@Injectable()
export class DomainCountsRepository {
  constructor(private readonly database: Database) {}

  /** Row counts of the domain tables that exist (a table added by a later migration may not yet). */
  async countDomainRows(): Promise<Partial<Record<DomainTable, number>>> {
    return this.database.session(async (session) => {
      const present = await session.query<{ name: DomainTable }>(
        `SELECT t AS name FROM unnest($1::text[]) AS t WHERE to_regclass('public.' || t) IS NOT NULL`,
        [DOMAIN_TABLES],
      );
      if (present.length === 0) return {};
      // Names come from the fixed list above, never from input.
      const sql = present
        .map(({ name }) => `SELECT '${name}' AS name, count(*)::int AS rows FROM ${name}`)
        .join(' UNION ALL ');
      const rows = await session.query<{ name: DomainTable; rows: number }>(sql);
      return Object.fromEntries(rows.map((row) => [row.name, Number(row.rows)]));
    });
  }
}
