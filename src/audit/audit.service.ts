import { Injectable } from '@nestjs/common';
import { AuthUser } from '../auth/auth-user';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { Db } from '../database/database';
import { AuditEventRow, AuditRepository } from './audit.repository';

export interface AuditRecord {
  /** Dotted verb, e.g. `molecule.create`, `auth.login_failed`, `user.role_change`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to the request's authenticated user. */
  actor?: Pick<AuthUser, 'id' | 'email'> | null;
  /** For events without an authenticated actor (e.g. a failed login for this email). */
  actorEmail?: string;
}

export interface AuditEventView {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ipAddress: string | null;
  requestId: string | null;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  limit: number;
  cursor?: string;
}

/** Records who did what, when and from where; writes join the caller's transaction when given one. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async record(event: AuditRecord, tx?: Db): Promise<void> {
    const context = RequestContext.current();
    await this.audit.insert(
      {
        action: event.action,
        entityType: event.entityType,
        entityId: event.entityId ?? null,
        before: event.before ?? null,
        after: event.after ?? null,
        actorId: event.actor === undefined ? (context?.userId ?? null) : (event.actor?.id ?? null),
        actorEmail: event.actor?.email ?? event.actorEmail ?? null,
        ipAddress: context?.ip ?? null,
        requestId: context?.requestId ?? null,
      },
      tx,
    );
  }

  async list(filter: AuditFilter): Promise<Page<AuditEventView>> {
    const before = filter.cursor ? decodeCursor(filter.cursor, 2) : undefined;
    const rows = await this.audit.findNewestFirst({
      entityType: filter.entityType,
      entityId: filter.entityId,
      actorId: filter.actorId,
      action: filter.action,
      before: before
        ? { occurredAt: new Date(String(before[0])), id: String(before[1]) }
        : undefined,
      limit: filter.limit + 1,
    });
    return toPage(rows.map(toView), filter.limit, (event) => [event.occurredAt, event.id]);
  }
}

function toView(row: AuditEventRow): AuditEventView {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before,
    after: row.after,
    ipAddress: row.ipAddress,
    requestId: row.requestId,
  };
}
