import { AbilityBuilder, createMongoAbility, ForcedSubject, MongoAbility, MongoQuery, subject } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { AuthUser } from '../auth/auth-user';

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
type Subjects = SubjectName | (ForcedSubject<Exclude<SubjectName, 'all'>> & Record<string, unknown>);

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

/** Tags a plain record with its CASL subject type for object-level checks. */
export function asSubject<T extends Record<string, unknown>>(type: Exclude<SubjectName, 'all'>, record: T) {
  return subject(type, record);
}
