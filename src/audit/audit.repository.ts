import { Injectable } from '@nestjs/common';
import { and, desc, eq, lt, or, SQL } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { auditEvents } from '../database/schema/audit';

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEventRow = typeof auditEvents.$inferInsert;

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  /** Keyset: events strictly older than this (occurredAt, id). */
  before?: { occurredAt: Date; id: string };
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly database: Database) {}

  async insert(event: NewAuditEventRow, tx?: Db): Promise<void> {
    await (tx ?? this.database.db).insert(auditEvents).values(event);
  }

  async findNewestFirst(query: AuditQuery): Promise<AuditEventRow[]> {
    const conditions: SQL[] = [];
    if (query.entityType) conditions.push(eq(auditEvents.entityType, query.entityType));
    if (query.entityId) conditions.push(eq(auditEvents.entityId, query.entityId));
    if (query.actorId) conditions.push(eq(auditEvents.actorId, query.actorId));
    if (query.action) conditions.push(eq(auditEvents.action, query.action));
    if (query.before) {
      const { occurredAt, id } = query.before;
      conditions.push(
        or(
          lt(auditEvents.occurredAt, occurredAt),
          and(eq(auditEvents.occurredAt, occurredAt), lt(auditEvents.id, id)),
        )!,
      );
    }
    return this.database.db
      .select()
      .from(auditEvents)
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(query.limit);
  }
}
