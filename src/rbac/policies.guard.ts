import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_KEY, AccessDeclaration, AuthenticatedRequest } from '../auth/access.decorators';
import { AppError } from '../common/app-error';
import { RouteMetadata } from '../common/route-metadata';
import { AbilityFactory } from './ability.factory';
import { POLICY_KEY, RoutePolicy } from './check-policies.decorator';

export const AuthErrors = {
  forbidden: (detail: string) => new AppError('AUTH_FORBIDDEN', 403, 'Forbidden', { detail }),
  undeclared: () =>
    new AppError('ROUTE_ACCESS_UNDECLARED', 403, 'Forbidden', {
      detail: 'This route declares no access rule, so it is closed.',
    }),
};

interface RouteRule {
  access: AccessDeclaration | undefined;
  policy: RoutePolicy | undefined;
}

/** Enforces @CheckPolicies for the authenticated caller's role. Routes with no declaration are closed. */
@Injectable()
export class PoliciesGuard implements CanActivate {
  private readonly rules: RouteMetadata<RouteRule>;

  constructor(
    reflector: Reflector,
    private readonly abilities: AbilityFactory,
  ) {
    this.rules = new RouteMetadata((targets) => ({
      access: reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, targets),
      policy: reflector.getAllAndOverride<RoutePolicy | undefined>(POLICY_KEY, targets),
    }));
  }

  canActivate(context: ExecutionContext): boolean {
    const { access, policy } = this.rules.of(context);
    if (!access) throw AuthErrors.undeclared();
    if (access.kind !== 'policy') return true;
    if (!policy) throw AuthErrors.undeclared();
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
