import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { Authenticated, CurrentUser, Public } from './access.decorators';
import { LoginDto, TokenPairDto, UserDto } from './auth.dto';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller(`${API_PREFIX}/auth`)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for an access token.' })
  @ApiOkResponse({ type: TokenPairDto })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.email, body.password);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in caller.' })
  @ApiOkResponse({ type: UserDto })
  getMe(@CurrentUser() user: AuthUser) {
    return user;
  }
}
