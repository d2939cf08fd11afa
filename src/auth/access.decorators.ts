import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthUser } from './auth-user';

export const ACCESS_KEY = 'cryoprotect:access';

export type AccessDeclaration = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'policy' };

/** No credentials needed (health, docs, metrics, login, refresh). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessDeclaration);

/** Any signed-in caller, whatever the role (e.g. /auth/me). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { kind: 'authenticated' } satisfies AccessDeclaration),
    ApiSecurity('bearer'),
    ApiSecurity('apiKey'),
  );

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/** The authenticated caller; routes that use it are never public. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!user) throw new Error('CurrentUser used on a route without authentication');
    return user;
  },
);
