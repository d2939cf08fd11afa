import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';

export const BEARER_STRATEGY = 'bearer';

/**
 * `Authorization: Bearer <access token>`: our own access tokens, or Supabase Auth's when configured.
 * No header: not this strategy's request (passport tries the next).
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthUser | false> {
    const header = request.headers.authorization;
    if (!header) return false;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return false;
    return this.auth.authenticateBearer(match[1]);
  }
}
