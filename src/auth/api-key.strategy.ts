import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthUser } from './auth-user';
import { ApiKeyService } from './api-key.service';

export const API_KEY_STRATEGY = 'api-key';

/** `X-API-Key: cpk_<id>_<secret>`. No header: not this strategy's request. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly keys: ApiKeyService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthUser | false> {
    const header = request.headers['x-api-key'];
    if (typeof header !== 'string' || header.length === 0) return false;
    return this.keys.authenticate(header.trim());
  }
}
