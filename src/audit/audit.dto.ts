import { z } from 'zod';
import { pageQuery, pageSchema } from '../common/pagination';
import { zodDto } from '../common/zod';

export class AuditQueryDto extends zodDto(
  'AuditQuery',
  z.strictObject({
    entity: z.string().max(64).optional().describe('Entity type, e.g. Molecule, Mixture, User.'),
    id: z.string().max(128).optional().describe('Entity id.'),
    actor: z.string().uuid().optional().describe('User id of the actor.'),
    action: z.string().max(64).optional().describe('e.g. molecule.update, auth.login_failed.'),
    ...pageQuery,
  }),
) {}

export const auditEventSchema = z.object({
  id: z.string().uuid(),
  occurredAt: z.string().datetime(),
  actorId: z.string().uuid().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  ipAddress: z.string().nullable(),
  requestId: z.string().nullable(),
});

export class AuditPageDto extends zodDto('AuditPage', pageSchema(auditEventSchema)) {}
