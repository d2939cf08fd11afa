import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthUser } from './auth-user';
import { ApiKeyService } from './api-key.service';

export const API_KEY_STRATEGY = 'api-key';

/** The value of the `X-API-Key` header, or undefined when there is none. */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/** `X-API-Key: cpk_<id>_<secret>`. No header: not this strategy's request. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly keys: ApiKeyService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthUser | false> {
    const presented = presentedApiKey(request);
    return presented === undefined ? false : this.keys.authenticate(presented);
  }

  /**
   * The caller of a presented key (presentedApiKey's), when this replica matched it before and the
   * key and its owner are still cached and usable (what validate would answer, without hashing the
   * secret again); otherwise undefined and validate runs.
   */
  recall(presented: string): AuthUser | undefined {
    return this.keys.recall(presented);
  }
}
