import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { CurrentUser } from './access.decorators';
import {
  ApiKeyIdParamsDto,
  ApiKeyListDto,
  ApiKeyListQueryDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
} from './auth.dto';
import { AuthUser } from './auth-user';
import { ApiKeyService } from './api-key.service';

@ApiTags('api-keys')
@Controller(`${API_PREFIX}/api-keys`)
export class ApiKeyController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @CheckPolicies('create', 'ApiKey')
  @ApiOperation({
    summary: 'Create an API key (role at most yours). The secret is in the answer, only this once.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  createApiKey(@CurrentUser() caller: AuthUser, @Body() body: CreateApiKeyDto) {
    return this.keys.createKey(caller, body);
  }

  @Get()
  @CheckPolicies('read', 'ApiKey')
  @ApiOperation({
    summary: "Your API keys (admins: everyone's with all=true). Secrets are never shown again.",
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  async listApiKeys(@CurrentUser() caller: AuthUser, @Query() query: ApiKeyListQueryDto) {
    return { items: await this.keys.listKeys(caller, query.all ?? false) };
  }

  @Delete(':id')
  @CheckPolicies('delete', 'ApiKey')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key (yours; admins: anyone’s). Others’ keys answer 404.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  deleteApiKey(@CurrentUser() caller: AuthUser, @Param() params: ApiKeyIdParamsDto) {
    return this.keys.deleteKey(caller, params.id);
  }
}
