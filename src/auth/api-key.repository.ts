import { Injectable } from '@nestjs/common';
import { and, desc, eq, isNull, SQL } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { apiKeys } from '../database/schema/auth';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly database: Database) {}

  /** The owner column, for ownership filters derived from an ability (see rbac/ownership-filter.ts). */
  readonly ownerColumn = apiKeys.createdBy;

  async insert(key: NewApiKeyRow, tx?: Db): Promise<ApiKeyRow> {
    const [row] = await (tx ?? this.database.db).insert(apiKeys).values(key).returning();
    return row;
  }

  async findActiveById(id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row;
  }

  /** Keys not revoked, newest first, restricted by `visible` (an ownership filter, or none for all). */
  async listActive(visible: SQL | undefined): Promise<ApiKeyRow[]> {
    return this.database.db
      .select()
      .from(apiKeys)
      .where(and(isNull(apiKeys.revokedAt), visible))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  async listActiveOfOwner(ownerId: string): Promise<ApiKeyRow[]> {
    return this.listActive(eq(apiKeys.createdBy, ownerId));
  }

  async revoke(id: string, at: Date, tx: Db): Promise<ApiKeyRow | undefined> {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return row;
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.database.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
  }
}
