import { users } from '../database/schema/users';
import { AuthUser } from '../auth/auth-user';
import {
  AbilityFactory,
  Action,
  asSubject,
  lowerRole,
  roleIsAtMost,
  scientificSubjects,
  SubjectName,
} from './ability.factory';
import { ownershipFilter } from './ownership-filter';
import { PgDialect } from 'drizzle-orm/pg-core';

const me = '00000000-0000-4000-8000-000000000001';
const other = '00000000-0000-4000-8000-000000000002';

function caller(role: AuthUser['role']): AuthUser {
  return { id: me, email: `${role}@example.org`, displayName: role, role, via: 'password' };
}

const mine = (type: Exclude<SubjectName, 'all'>) => asSubject(type, { createdBy: me });
const theirs = (type: Exclude<SubjectName, 'all'>) => asSubject(type, { createdBy: other });
const sqlOf = (value: ReturnType<typeof ownershipFilter>) =>
  value === undefined ? undefined : new PgDialect().sqlToQuery(value);

describe(AbilityFactory.name, () => {
  const sut = new AbilityFactory();

  describe('viewer', () => {
    const ability = sut.createForUser(caller('viewer'));

    it.each(scientificSubjects)('should read but not write %s when viewer', (type) => {
      expect(ability.can('read', type)).toBe(true);
      for (const action of ['create', 'update', 'delete'] as Action[]) {
        expect(ability.can(action, type)).toBe(false);
        expect(ability.can(action, mine(type))).toBe(false);
      }
    });

    it('should manage only its own API keys and read only itself when viewer', () => {
      expect(ability.can('delete', mine('ApiKey'))).toBe(true);
      expect(ability.can('delete', theirs('ApiKey'))).toBe(false);
      expect(ability.can('read', asSubject('User', { id: me }))).toBe(true);
      expect(ability.can('read', asSubject('User', { id: other }))).toBe(false);
      expect(ability.can('update', asSubject('User', { id: me }))).toBe(false);
    });

    it('should be refused the audit trail, users admin and backups when viewer', () => {
      expect(ability.can('read', 'AuditEvent')).toBe(false);
      expect(ability.can('manage', 'User')).toBe(false);
      expect(ability.can('run', 'Backup')).toBe(false);
    });
  });

  describe('researcher', () => {
    const ability = sut.createForUser(caller('researcher'));

    it.each(scientificSubjects)(
      'should create %s and change only its own when researcher',
      (type) => {
        expect(ability.can('create', type)).toBe(true);
        expect(ability.can('update', mine(type))).toBe(true);
        expect(ability.can('delete', mine(type))).toBe(true);
        expect(ability.can('update', theirs(type))).toBe(false);
        expect(ability.can('delete', theirs(type))).toBe(false);
      },
    );

    it('should not touch property types, users, the audit trail or backups when researcher', () => {
      expect(ability.can('create', 'PropertyType')).toBe(false);
      expect(ability.can('create', 'User')).toBe(false);
      expect(ability.can('read', 'AuditEvent')).toBe(false);
      expect(ability.can('run', 'Backup')).toBe(false);
    });
  });

  describe('curator', () => {
    const ability = sut.createForUser(caller('curator'));

    it.each(scientificSubjects)("should update and delete anyone's %s when curator", (type) => {
      expect(ability.can('update', theirs(type))).toBe(true);
      expect(ability.can('delete', theirs(type))).toBe(true);
    });

    it('should read the audit trail and manage property types but not users, others’ keys or backups when curator', () => {
      expect(ability.can('read', 'AuditEvent')).toBe(true);
      expect(ability.can('update', 'PropertyType')).toBe(true);
      expect(ability.can('update', 'User')).toBe(false);
      expect(ability.can('delete', theirs('ApiKey'))).toBe(false);
      expect(ability.can('run', 'Backup')).toBe(false);
    });
  });

  describe('admin', () => {
    const ability = sut.createForUser(caller('admin'));

    it('should do everything when admin', () => {
      expect(ability.can('manage', 'User')).toBe(true);
      expect(ability.can('delete', theirs('ApiKey'))).toBe(true);
      expect(ability.can('run', 'Backup')).toBe(true);
      expect(ability.can('read', 'AuditEvent')).toBe(true);
      for (const type of scientificSubjects) expect(ability.can('delete', theirs(type))).toBe(true);
    });
  });

  describe('role order', () => {
    it('should order viewer < researcher < curator < admin', () => {
      expect(roleIsAtMost('viewer', 'researcher')).toBe(true);
      expect(roleIsAtMost('researcher', 'researcher')).toBe(true);
      expect(roleIsAtMost('admin', 'curator')).toBe(false);
      expect(lowerRole('admin', 'researcher')).toBe('researcher');
      expect(lowerRole('viewer', 'curator')).toBe('viewer');
    });
  });

  describe(ownershipFilter.name, () => {
    const column = users.id;

    it('should not restrict when the role may act on every row', () => {
      expect(
        ownershipFilter(sut.createForUser(caller('curator')), 'update', 'Molecule', column),
      ).toBeUndefined();
      expect(
        ownershipFilter(sut.createForUser(caller('admin')), 'read', 'ApiKey', column),
      ).toBeUndefined();
    });

    it('should restrict to the caller’s rows when only its own are allowed', () => {
      const query = sqlOf(
        ownershipFilter(sut.createForUser(caller('researcher')), 'delete', 'Molecule', column),
      );
      expect(query?.sql).toBe('"users"."id" in ($1)');
      expect(query?.params).toEqual([me]);
    });

    it('should match nothing when no rule allows the action', () => {
      const query = sqlOf(
        ownershipFilter(sut.createForUser(caller('viewer')), 'update', 'Molecule', column),
      );
      expect(query?.sql).toBe('false');
    });

    it('should refuse to translate a condition other than ownership', () => {
      expect(() =>
        ownershipFilter(sut.createForUser(caller('viewer')), 'read', 'User', column),
      ).toThrow(/cannot translate/);
    });
  });
});
