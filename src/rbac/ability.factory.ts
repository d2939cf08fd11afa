import {
  AbilityBuilder,
  createMongoAbility,
  ForcedSubject,
  MongoAbility,
  MongoQuery,
  subject,
} from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { AuthUser } from '../auth/auth-user';
import { UserRole, userRoles } from '../database/schema/users';

export const actions = ['manage', 'create', 'read', 'update', 'delete', 'run'] as const;
export type Action = (typeof actions)[number];

export const scientificSubjects = ['Molecule', 'Mixture', 'Experiment', 'Prediction'] as const;
export type SubjectName =
  | (typeof scientificSubjects)[number]
  | 'PropertyType'
  | 'User'
  | 'ApiKey'
  | 'AuditEvent'
  | 'Backup'
  | 'all';

/** A record checked at object level: who created it decides what a researcher may do. */
export interface OwnedRecord {
  createdBy: string | null;
}
type Subjects =
  SubjectName | (ForcedSubject<Exclude<SubjectName, 'all'>> & Record<string, unknown>);

// CASL infers condition types from subject classes; our subjects are plain tagged records.
const where = (conditions: Record<string, unknown>) => conditions as MongoQuery<never>;

export type AppAbility = MongoAbility<[Action, Subjects]>;

/**
 * The role model, in one place:
 * - viewer: reads scientific data.
 * - researcher: reads; creates scientific data; updates and deletes what they created.
 * - curator: manages all scientific data and property types; reads the audit trail.
 * - admin: everything (users, API keys of others, backups).
 * Everyone reads their own user record and manages their own API keys.
 * The roles are ordered (viewer < researcher < curator < admin): each may do all the ones below may.
 * List queries derive their WHERE clause from these rules with `ownershipFilter`.
 */
@Injectable()
export class AbilityFactory {
  createForUser(user: AuthUser): AppAbility {
    const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    can('read', 'User', where({ id: user.id }));
    can(['create', 'read', 'delete'], 'ApiKey', where({ createdBy: user.id }));
    can('read', ['PropertyType', ...scientificSubjects]);
    switch (user.role) {
      case 'viewer':
        break;
      case 'researcher':
        can('create', [...scientificSubjects]);
        can(['update', 'delete'], [...scientificSubjects], where({ createdBy: user.id }));
        break;
      case 'curator':
        can('manage', [...scientificSubjects, 'PropertyType']);
        can('read', 'AuditEvent');
        break;
      case 'admin':
        can('manage', 'all');
        break;
      default: {
        const unknownRole: never = user.role;
        throw new Error(`unknown role ${String(unknownRole)}`);
      }
    }
    return build();
  }
}

/** Roles from least to most rights; each includes everything the ones before it may do. */
const roleOrder: readonly UserRole[] = userRoles;

/** Whether `role` has no more rights than `ceiling` (e.g. the role of an API key against its creator's). */
export function roleIsAtMost(role: UserRole, ceiling: UserRole): boolean {
  return roleOrder.indexOf(role) <= roleOrder.indexOf(ceiling);
}

/** The lower of two roles. */
export function lowerRole(a: UserRole, b: UserRole): UserRole {
  return roleIsAtMost(a, b) ? a : b;
}

/** Tags a copy of a plain record with its CASL subject type for object-level checks. */
export function asSubject(
  type: Exclude<SubjectName, 'all'>,
  record: Record<string, unknown>,
): ForcedSubject<Exclude<SubjectName, 'all'>> & Record<string, unknown> {
  return subject(type, { ...record });
}
