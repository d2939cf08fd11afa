import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/access.decorators';
import type { AuthUser } from '../auth/auth-user';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { CreatePropertyTypeDto } from './property-type.dto';
import { PropertyTypeService } from './property-type.service';

@ApiTags('property-types')
@Controller(`${API_PREFIX}/property-types`)
export class PropertyTypeController {
  constructor(private readonly propertyTypes: PropertyTypeService) {}

  @Get()
  @CheckPolicies('read', 'PropertyType')
  async listPropertyTypes() {
    return { items: await this.propertyTypes.list() };
  }

  @Post()
  @CheckPolicies('create', 'PropertyType')
  createPropertyType(@Body() body: CreatePropertyTypeDto, @CurrentUser() user: AuthUser) {
    return this.propertyTypes.create(body, user);
  }
}
