import { sql } from 'drizzle-orm';
import { check, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const userRoles = ['viewer', 'researcher', 'curator', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];
export const userStatuses = ['active', 'disabled'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    status: text('status').$type<UserStatus>().notNull().default('active'),
    /** argon2id PHC string; null for accounts that only sign in through Supabase. */
    passwordHash: text('password_hash'),
    /** Supabase Auth user id (`sub`) for provisioned accounts. */
    externalSubject: text('external_subject'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('users_email_lower_key').using('btree', sql`lower(${table.email})`),
    uniqueIndex('users_external_subject_key').on(table.externalSubject),
    check('users_role_check', sql`${table.role} in ('viewer', 'researcher', 'curator', 'admin')`),
    check('users_status_check', sql`${table.status} in ('active', 'disabled')`),
  ],
);
