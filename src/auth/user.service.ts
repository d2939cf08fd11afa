import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError, CommonErrors } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { UserRole, UserStatus } from '../database/schema/users';
import { AuthUser } from './auth-user';
import { CallerCache } from './caller-cache';
import { PasswordHasher } from './password.hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import type { SupabaseIdentity } from './supabase-token.verifier';
import { UserChanges, UserRepository, UserRow } from './user.repository';

export interface NewUser {
  email: string;
  displayName?: string;
  role: UserRole;
  password: string;
}

export interface UserUpdate {
  role?: UserRole;
  status?: UserStatus;
  displayName?: string;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export const UserErrors = {
  emailTaken: (email: string) =>
    new AppError('USER_EMAIL_TAKEN', 409, 'Email already registered', {
      detail: `A user with email ${email} already exists.`,
    }),
  selfChange: () =>
    new AppError('USER_SELF_CHANGE', 422, 'Cannot change your own role or status', {
      detail: 'Ask another admin: nobody changes their own role or status.',
    }),
  subjectConflict: () =>
    new AppError('AUTH_ACCOUNT_CONFLICT', 401, 'Account conflict', {
      detail: 'This email belongs to an account linked to a different Supabase user.',
    }),
};

@Injectable()
export class UserService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UserService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly callers: CallerCache,
    private readonly audit: AuditService,
    private readonly database: Database,
    private readonly config: AppConfig,
  ) {}

  /** First run: with no users and ADMIN_EMAIL/ADMIN_PASSWORD set, create that admin. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config.auth;
    if (!adminEmail || !adminPassword) return;
    if ((await this.users.count()) > 0) return;
    await this.createUser({
      email: adminEmail,
      password: adminPassword,
      role: 'admin',
      displayName: 'Administrator',
    });
    this.logger.log(`created the first admin, ${adminEmail}`);
  }

  async createUser(input: NewUser): Promise<UserView> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.findByEmail(email)) throw UserErrors.emailTaken(email);
    const passwordHash = await this.hasher.hash(input.password);
    const row = await this.database
      .transaction(async (tx) => {
        const created = await this.users.insert(
          {
            email,
            displayName: input.displayName ?? email.split('@')[0],
            role: input.role,
            passwordHash,
          },
          tx,
        );
        await this.audit.record(
          {
            action: 'user.create',
            entityType: 'User',
            entityId: created.id,
            after: auditView(created),
          },
          tx,
        );
        return created;
      })
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw UserErrors.emailTaken(email);
        throw error;
      });
    return toUserView(row);
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.users.listByEmail()).map(toUserView);
  }

  /**
   * Admin change of role, status or display name. Nobody changes their own role or status (no
   * self-promotion, and an admin cannot lock themselves out). Disabling ends every session at once.
   */
  async updateUser(caller: AuthUser, id: string, update: UserUpdate): Promise<UserView> {
    if (id === caller.id && (update.role !== undefined || update.status !== undefined))
      throw UserErrors.selfChange();
    const row = await this.database.transaction(async (tx) => {
      const before = await this.users.findById(id, tx);
      if (!before) throw CommonErrors.notFound('User', id);
      const changes: UserChanges = {};
      if (update.role !== undefined && update.role !== before.role) changes.role = update.role;
      if (update.status !== undefined && update.status !== before.status)
        changes.status = update.status;
      if (update.displayName !== undefined && update.displayName !== before.displayName) {
        changes.displayName = update.displayName;
      }
      if (Object.keys(changes).length === 0) return before;
      const after = (await this.users.update(id, changes, tx)) ?? before;
      if (changes.status === 'disabled')
        await this.refreshTokens.revokeAllOfUser(id, new Date(), tx);
      const action = changes.role
        ? 'user.role_change'
        : changes.status
          ? 'user.status_change'
          : 'user.update';
      await this.audit.record(
        {
          action,
          entityType: 'User',
          entityId: id,
          before: auditView(before),
          after: auditView(after),
        },
        tx,
      );
      return after;
    });
    this.evict(row);
    return toUserView(row);
  }

  /**
   * The local account of a verified Supabase identity: found by subject, else linked by email (an
   * account not yet linked to another subject), else provisioned with the role from `app_metadata`.
   */
  async findOrProvisionExternal(identity: SupabaseIdentity): Promise<UserRow> {
    const cached = await this.callers.user(`sub:${identity.subject}`, () =>
      this.users.findByExternalSubject(identity.subject),
    );
    if (cached) return cached;
    const row = await this.database
      .transaction(async (tx) => {
        const existing = await this.users.findByEmail(identity.email, tx);
        if (existing?.externalSubject && existing.externalSubject !== identity.subject)
          throw UserErrors.subjectConflict();
        if (existing) {
          const linked =
            (await this.users.update(existing.id, { externalSubject: identity.subject }, tx)) ??
            existing;
          await this.audit.record(
            {
              action: 'user.link_supabase',
              entityType: 'User',
              entityId: linked.id,
              actor: { id: linked.id, email: linked.email },
              after: { externalSubject: identity.subject },
            },
            tx,
          );
          return linked;
        }
        const created = await this.users.insert(
          {
            email: identity.email,
            displayName: identity.email.split('@')[0],
            role: identity.role,
            externalSubject: identity.subject,
          },
          tx,
        );
        await this.audit.record(
          {
            action: 'user.provision_supabase',
            entityType: 'User',
            entityId: created.id,
            actor: { id: created.id, email: created.email },
            after: auditView(created),
          },
          tx,
        );
        return created;
      })
      .catch(async (error: { code?: string }) => {
        // Two first requests of a new Supabase user raced; the other one provisioned it.
        const raced =
          error.code === '23505'
            ? await this.users.findByExternalSubject(identity.subject)
            : undefined;
        if (raced) return raced;
        throw error;
      });
    return row;
  }

  /** Evicts a user from the in-process caches (user id and Supabase subject). */
  evict(user: Pick<UserRow, 'id' | 'externalSubject'>): void {
    this.callers.evictUser(user.id);
    if (user.externalSubject) this.callers.evictUser(`sub:${user.externalSubject}`);
  }
}

function auditView(row: UserRow) {
  return { email: row.email, displayName: row.displayName, role: row.role, status: row.status };
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
