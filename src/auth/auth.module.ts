import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerStrategy } from './bearer.strategy';
import { PasswordHasher } from './password.hasher';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

@Module({
  imports: [PassportModule],
  controllers: [AuthController],
  providers: [AuthService, BearerStrategy, PasswordHasher, TokenService, UserRepository, UserService],
  exports: [AuthService, UserService, TokenService, PasswordHasher],
})
export class AuthModule {}
