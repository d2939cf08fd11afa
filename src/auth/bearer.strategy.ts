import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';

export const BEARER_STRATEGY = 'bearer';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * `Authorization: Bearer <access token>`: our own access tokens, or Supabase Auth's when configured.
 * No header: not this strategy's request.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthUser | false> {
    const token = bearerToken(request);
    return token ? this.auth.authenticateBearer(token) : false;
  }

  /**
   * The caller of a token (bearerToken's), when this replica verified it before and its user is
   * still cached and active (what validate would answer, without its promise); otherwise undefined
   * and validate runs.
   */
  recall(token: string): AuthUser | undefined {
    return this.auth.recallBearer(token);
  }
}
