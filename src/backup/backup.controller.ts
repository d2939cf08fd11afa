import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { BackupQueryDto, RunBackupDto, VerifyBackupDto } from './backup.dto';
import { BackupService } from './backup.service';

/** Admin API for backups (admins only, through the ability factory). */
@Controller(`${API_PREFIX}/backups`)
export class BackupController {
  constructor(private readonly backups: BackupService) {}

  @Get()
  @CheckPolicies('read', 'Backup')
  async listBackups(@Query() query: BackupQueryDto) {
    return { items: await this.backups.list(query.target) };
  }

  @Post()
  @HttpCode(200)
  @CheckPolicies('run', 'Backup')
  runBackup(@Body() body: RunBackupDto) {
    return this.backups.run({ targets: body.targets });
  }

  @Get(':id')
  @CheckPolicies('read', 'Backup')
  getBackup(@Param('id') id: string, @Query() query: BackupQueryDto) {
    return this.backups.get(id, query.target);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @CheckPolicies('run', 'Backup')
  verifyBackup(@Param('id') id: string, @Body() body: VerifyBackupDto) {
    return this.backups.verify(id, { full: body.full, target: body.target });
  }
}
