import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../common/app-error';
import { RequestContext } from '../common/request-context';
import { ACCESS_KEY, AccessDeclaration, AuthenticatedRequest } from './access.decorators';
import { AuthUser } from './auth-user';
import { API_KEY_STRATEGY } from './api-key.strategy';
import { BEARER_STRATEGY } from './bearer.strategy';

/** The strategies tried, in order, for every non-public route. */
export const AUTH_STRATEGIES = [BEARER_STRATEGY, API_KEY_STRATEGY];

/** Global authentication: every route needs credentials unless it is marked @Public(). */
@Injectable()
export class AccessGuard extends AuthGuard(AUTH_STRATEGIES) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const access = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access?.kind === 'public') return true;
    return super.canActivate(context) as Promise<boolean>;
  }

  override handleRequest<TUser = AuthUser>(
    error: unknown,
    user: TUser | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (!user) {
      throw new AppError('AUTH_REQUIRED', 401, 'Authentication required', {
        detail: 'Send an access token (Authorization: Bearer …) or an API key (X-API-Key).',
      });
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authUser = user as unknown as AuthUser;
    request.user = authUser;
    RequestContext.setUser(authUser.id);
    return user;
  }
}
