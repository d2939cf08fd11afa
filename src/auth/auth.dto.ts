import { z } from 'zod';
import { zodDto } from '../common/zod';
import { userRoles } from '../database/schema/users';

export const emailSchema = z.string().trim().toLowerCase().email().max(320);
export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(1024);

export class LoginDto extends zodDto(
  'Login',
  z.strictObject({ email: emailSchema, password: z.string().min(1).max(1024) }),
) {}

export class TokenPairDto extends zodDto(
  'TokenPair',
  z.object({
    accessToken: z.string(),
    refreshToken: z.string().optional(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires.'),
  }),
) {}

export const userViewSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(userRoles),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});

export class UserDto extends zodDto('User', userViewSchema) {}
