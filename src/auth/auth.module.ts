import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyController } from './api-key.controller';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ApiKeyStrategy } from './api-key.strategy';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerStrategy } from './bearer.strategy';
import { CallerCache } from './caller-cache';
import { LoginThrottleRepository } from './login-throttle.repository';
import { PasswordHasher } from './password.hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RouteAccessCheck } from './route-access.check';
import { SupabaseTokenVerifier } from './supabase-token.verifier';
import { TokenService } from './token.service';
import { UserController } from './user.controller';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

@Module({
  imports: [PassportModule, DiscoveryModule],
  controllers: [AuthController, UserController, ApiKeyController],
  providers: [
    ApiKeyRepository,
    ApiKeyService,
    ApiKeyStrategy,
    AuthService,
    BearerStrategy,
    CallerCache,
    LoginThrottleRepository,
    PasswordHasher,
    RefreshTokenRepository,
    RouteAccessCheck,
    SupabaseTokenVerifier,
    TokenService,
    UserRepository,
    UserService,
  ],
  exports: [
    ApiKeyStrategy,
    BearerStrategy,
    AuthService,
    UserService,
    ApiKeyService,
    TokenService,
    PasswordHasher,
    RouteAccessCheck,
  ],
})
export class AuthModule {}
