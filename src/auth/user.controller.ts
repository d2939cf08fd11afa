import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { CurrentUser } from './access.decorators';
import { CreateUserDto, UpdateUserDto, UserDto, UserIdParamsDto, UserListDto } from './auth.dto';
import { AuthUser } from './auth-user';
import { UserService } from './user.service';

@ApiTags('users')
@Controller(`${API_PREFIX}/users`)
export class UserController {
  constructor(private readonly users: UserService) {}

  @Get()
  @CheckPolicies('manage', 'User')
  @ApiOperation({ summary: 'Every user account (admins).' })
  @ApiOkResponse({ type: UserListDto })
  async listUsers() {
    return { items: await this.users.listUsers() };
  }

  @Post()
  @CheckPolicies('create', 'User')
  @ApiOperation({ summary: 'Create a user with a password (admins).' })
  @ApiCreatedResponse({ type: UserDto })
  createUser(@Body() body: CreateUserDto) {
    return this.users.createUser(body);
  }

  @Patch(':id')
  @CheckPolicies('update', 'User')
  @ApiOperation({
    summary:
      "Change a user's role, status or display name (admins; never your own role or status).",
  })
  @ApiOkResponse({ type: UserDto })
  updateUser(
    @CurrentUser() caller: AuthUser,
    @Param() params: UserIdParamsDto,
    @Body() body: UpdateUserDto,
  ) {
    return this.users.updateUser(caller, params.id, body);
  }
}
