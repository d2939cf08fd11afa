import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { RequestContext } from '../common/request-context';
import { ACCESS_KEY, AccessDeclaration, AuthenticatedRequest } from './access.decorators';
import { AuthUser } from './auth-user';
import { API_KEY_STRATEGY } from './api-key.strategy';
import { BEARER_STRATEGY } from './bearer.strategy';

const BEARER = /^Bearer\s+\S+$/i;

const authRequired = () =>
  new AppError('AUTH_REQUIRED', 401, 'Authentication required', {
    detail: 'Send an access token (Authorization: Bearer …) or an API key (X-API-Key).',
  });

/** A passport guard for one credential strategy, with our errors and the caller recorded. */
function credentialGuard(strategy: string) {
  return class CredentialGuard extends AuthGuard(strategy) {
    override handleRequest<TUser = AuthUser>(
      error: unknown,
      user: TUser | false,
      _info: unknown,
      context: ExecutionContext,
    ): TUser {
      if (error) throw error;
      if (!user) throw authRequired();
      const authUser = user as unknown as AuthUser;
      context.switchToHttp().getRequest<AuthenticatedRequest>().user = authUser;
      RequestContext.setUser(authUser.id);
      return user;
    }
  };
}

/**
 * Global authentication: every route needs credentials unless it is marked @Public(). The request's
 * credential picks the one passport strategy that can verify it (a bearer token, else an API key),
 * so a request pays for one strategy, and one without credentials is refused before passport runs.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly bearer = new (credentialGuard(BEARER_STRATEGY))();
  private readonly apiKey = new (credentialGuard(API_KEY_STRATEGY))();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const access = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access?.kind === 'public') return true;
    const { headers } = context.switchToHttp().getRequest<FastifyRequest>();
    if (BEARER.test(headers.authorization ?? ''))
      return this.bearer.canActivate(context) as Promise<boolean>;
    const key = headers['x-api-key'];
    if (typeof key === 'string' && key.length > 0)
      return this.apiKey.canActivate(context) as Promise<boolean>;
    throw authRequired();
  }
}
