import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The audit trail: security events (logins, role changes, keys) and the history of scientific
 * records (create/update/delete with before and after).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    /** The user who acted; null for anonymous events such as a failed login. */
    actorId: uuid('actor_id'),
    actorEmail: text('actor_email'),
    /** e.g. `molecule.create`, `auth.login`, `auth.login_failed`, `user.role_change`. */
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    ipAddress: text('ip_address'),
    requestId: text('request_id'),
  },
  (table) => [
    index('audit_events_entity_idx').on(table.entityType, table.entityId, table.occurredAt),
    index('audit_events_actor_idx').on(table.actorId, table.occurredAt),
    index('audit_events_occurred_at_idx').on(table.occurredAt, table.id),
  ],
);
