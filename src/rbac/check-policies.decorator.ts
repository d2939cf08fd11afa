import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ACCESS_KEY, AccessDeclaration } from '../auth/access.decorators';
import { Action, SubjectName } from './ability.factory';

export const POLICY_KEY = 'cryoprotect:policy';

export interface RoutePolicy {
  action: Action;
  subject: SubjectName;
}

/**
 * Declares the access a route needs, e.g. `@CheckPolicies('create', 'Molecule')`. PoliciesGuard
 * enforces it for the caller's role; object-level rules (ownership) are checked by the service.
 */
export const CheckPolicies = (action: Action, subject: SubjectName) =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { kind: 'policy' } satisfies AccessDeclaration),
    SetMetadata(POLICY_KEY, { action, subject } satisfies RoutePolicy),
    ApiSecurity('bearer'),
    ApiSecurity('apiKey'),
    ApiUnauthorizedResponse({
      description: 'No valid credentials (problem+json, code AUTH_REQUIRED).',
    }),
    ApiForbiddenResponse({
      description: `Role may not ${action} ${subject} (problem+json, code AUTH_FORBIDDEN).`,
    }),
  );
