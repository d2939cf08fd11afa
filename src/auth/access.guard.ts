import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { RequestContext } from '../common/request-context';
import { RouteMetadata } from '../common/route-metadata';
import { ACCESS_KEY, AccessDeclaration, AuthenticatedRequest } from './access.decorators';
import { AuthUser } from './auth-user';
import { API_KEY_STRATEGY, ApiKeyStrategy, presentedApiKey } from './api-key.strategy';
import { BEARER_STRATEGY, BearerStrategy, bearerToken } from './bearer.strategy';

const authRequired = () =>
  new AppError('AUTH_REQUIRED', 401, 'Authentication required', {
    detail: 'Send an access token (Authorization: Bearer …) or an API key (X-API-Key).',
  });

function admit(request: AuthenticatedRequest, user: AuthUser): void {
  request.user = user;
  RequestContext.setUser(user.id);
}

/** @nestjs/passport's guard for one strategy, with our errors, recording the caller. */
function passportGuard(strategy: string) {
  return class PassportCredentialGuard extends AuthGuard(strategy) {
    override handleRequest<TUser = AuthUser>(
      error: unknown,
      user: TUser | false,
      _info: unknown,
      context: ExecutionContext,
    ): TUser {
      if (error) throw error;
      if (!user) throw authRequired();
      admit(context.switchToHttp().getRequest<AuthenticatedRequest>(), user as unknown as AuthUser);
      return user;
    }
  };
}

interface Credential {
  strategy: BearerStrategy | ApiKeyStrategy;
  passport: CanActivate;
}

/**
 * Global authentication: every route needs credentials unless it is marked @Public().
 *
 * The credential's header picks the one passport strategy that can verify it (a bearer token, else
 * an API key), so no request pays for a strategy that is bound to fail. A credential this replica
 * has verified before, whose user (and key) are still in the caller cache and usable, is answered
 * by the strategy's synchronous `recall`, which admits exactly what its `validate` would and
 * refuses nothing itself; every other request — first use of a token, Supabase tokens, anything
 * expired, disabled, revoked or unknown — goes through @nestjs/passport and the strategy's
 * `validate`, which decides and raises the error.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly access: RouteMetadata<AccessDeclaration | undefined>;
  private readonly bearer: Credential;
  private readonly apiKey: Credential;

  constructor(reflector: Reflector, bearer: BearerStrategy, apiKey: ApiKeyStrategy) {
    this.access = new RouteMetadata((targets) =>
      reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, targets),
    );
    this.bearer = { strategy: bearer, passport: new (passportGuard(BEARER_STRATEGY))() };
    this.apiKey = { strategy: apiKey, passport: new (passportGuard(API_KEY_STRATEGY))() };
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.access.of(context)?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The header is read once: the same value picks the strategy and is recalled.
    const token = bearerToken(request);
    const presented = token ?? presentedApiKey(request);
    if (presented === undefined) throw authRequired();
    const credential = token !== undefined ? this.bearer : this.apiKey;
    const known = credential.strategy.recall(presented);
    if (known) {
      admit(request, known);
      return true;
    }
    return credential.passport.canActivate(context) as Promise<boolean>;
  }
}
