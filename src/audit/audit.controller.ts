import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { AuditPageDto, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller(`${API_PREFIX}/audit`)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @CheckPolicies('read', 'AuditEvent')
  @ApiOperation({ summary: 'The audit trail, newest first (curators and admins).' })
  @ApiOkResponse({ type: AuditPageDto })
  listAuditEvents(@Query() query: AuditQueryDto) {
    return this.audit.list({
      entityType: query.entity,
      entityId: query.id,
      actorId: query.actor,
      action: query.action,
      limit: query.limit,
      cursor: query.cursor,
    });
  }
}
