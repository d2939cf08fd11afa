import { Body, Controller, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { Authenticated, CurrentUser, Public } from './access.decorators';
import { CallerDto, LoginDto, LogoutDto, RefreshDto, TokenPairDto } from './auth.dto';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { RetryAfterFilter } from './retry-after.filter';

@ApiTags('auth')
@Controller(`${API_PREFIX}/auth`)
@UseFilters(RetryAfterFilter)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for an access token and a refresh token.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed logins (AUTH_LOCKED, with Retry-After).',
  })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.email, body.password);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair; the old refresh token stops working.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  refreshTokens(@Body() body: RefreshDto) {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of this refresh token (every token of its family).' })
  @ApiNoContentResponse({ description: 'Logged out.' })
  logout(@CurrentUser() user: AuthUser, @Body() body: LogoutDto) {
    return this.auth.logout(user, body.refreshToken);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in caller.' })
  @ApiOkResponse({ type: CallerDto })
  getMe(@CurrentUser() user: AuthUser) {
    return user;
  }
}
