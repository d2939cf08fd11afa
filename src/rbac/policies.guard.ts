import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_KEY, AccessDeclaration, AuthenticatedRequest } from '../auth/access.decorators';
import { AppError } from '../common/app-error';
import { AbilityFactory } from './ability.factory';
import { POLICY_KEY, RoutePolicy } from './check-policies.decorator';

export const AuthErrors = {
  forbidden: (detail: string) => new AppError('AUTH_FORBIDDEN', 403, 'Forbidden', { detail }),
  undeclared: () =>
    new AppError('ROUTE_ACCESS_UNDECLARED', 403, 'Forbidden', {
      detail: 'This route declares no access rule, so it is closed.',
    }),
};

/** Enforces @CheckPolicies for the authenticated caller's role. Routes with no declaration are closed. */
@Injectable()
export class PoliciesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: AbilityFactory,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(
      ACCESS_KEY,
      targets,
    );
    if (!access) throw AuthErrors.undeclared();
    if (access.kind !== 'policy') return true;
    const policy = this.reflector.getAllAndOverride<RoutePolicy>(POLICY_KEY, targets);
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) return false;
    const ability = this.abilities.createForUser(user);
    if (!ability.can(policy.action, policy.subject)) {
      throw AuthErrors.forbidden(
        `Your role (${user.role}) may not ${policy.action} ${policy.subject}.`,
      );
    }
    return true;
  }
}
