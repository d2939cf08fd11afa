import { Injectable } from '@nestjs/common';
import { inArray, sql } from 'drizzle-orm';
import { Database } from '../database/database';
import { loginThrottles } from '../database/schema/auth';

export type LoginThrottleRow = typeof loginThrottles.$inferSelect;

@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly database: Database) {}

  async findByKeys(keys: string[]): Promise<LoginThrottleRow[]> {
    return this.database.db.select().from(loginThrottles).where(inArray(loginThrottles.key, keys));
  }

  /** Counts one failure for each key, starting a new window where the old one has passed (one statement, so replicas agree). */
  async recordFailures(keys: string[], windowSeconds: number): Promise<void> {
    const expired = sql`${loginThrottles.windowStartedAt} <= now() - make_interval(secs => ${windowSeconds})`;
    await this.database.db
      .insert(loginThrottles)
      .values(keys.map((key) => ({ key, failures: 1, windowStartedAt: sql`now()` })))
      .onConflictDoUpdate({
        target: loginThrottles.key,
        set: {
          failures: sql`CASE WHEN ${expired} THEN 1 ELSE ${loginThrottles.failures} + 1 END`,
          windowStartedAt: sql`CASE WHEN ${expired} THEN now() ELSE ${loginThrottles.windowStartedAt} END`,
        },
      });
  }

  async clear(key: string): Promise<void> {
    await this.database.db.delete(loginThrottles).where(inArray(loginThrottles.key, [key]));
  }
}
