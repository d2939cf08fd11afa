import { z } from 'zod';
import { zodDto } from '../common/zod';
import { userRoles, userStatuses } from '../database/schema/users';

export const emailSchema = z.string().trim().toLowerCase().email().max(320);
export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(1024);
const refreshTokenSchema = z.string().min(1).max(256);

export class LoginDto extends zodDto(
  'Login',
  z.strictObject({ email: emailSchema, password: z.string().min(1).max(1024) }),
) {}

export class RefreshDto extends zodDto(
  'Refresh',
  z.strictObject({ refreshToken: refreshTokenSchema }),
) {}

export class LogoutDto extends zodDto(
  'Logout',
  z.strictObject({ refreshToken: refreshTokenSchema }),
) {}

export class TokenPairDto extends zodDto(
  'TokenPair',
  z.object({
    accessToken: z.string(),
    refreshToken: z
      .string()
      .describe('Single use: each refresh returns a new one; reusing an old one ends the session.'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires.'),
  }),
) {}

export const userViewSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(userRoles),
  status: z.enum(userStatuses),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});

export class UserDto extends zodDto('User', userViewSchema) {}

export class CallerDto extends zodDto(
  'Caller',
  z.object({
    id: z.string().uuid(),
    email: z.string(),
    displayName: z.string(),
    role: z
      .enum(userRoles)
      .describe('Effective role: for an API key, the lower of the key role and the owner role.'),
    via: z.enum(['password', 'api-key', 'supabase']),
    apiKeyId: z.string().uuid().optional(),
  }),
) {}

export class UserListDto extends zodDto('UserList', z.object({ items: z.array(userViewSchema) })) {}

export class CreateUserDto extends zodDto(
  'CreateUser',
  z.strictObject({
    email: emailSchema,
    password: passwordSchema,
    role: z.enum(userRoles),
    displayName: z.string().trim().min(1).max(200).optional(),
  }),
) {}

export class UpdateUserDto extends zodDto(
  'UpdateUser',
  z.strictObject({
    role: z.enum(userRoles).optional(),
    status: z.enum(userStatuses).optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
  }),
) {}

export class UserIdParamsDto extends zodDto('UserIdParams', z.strictObject({ id: z.uuid() })) {}

export class ApiKeyIdParamsDto extends zodDto('ApiKeyIdParams', z.strictObject({ id: z.uuid() })) {}

export class CreateApiKeyDto extends zodDto(
  'CreateApiKey',
  z.strictObject({
    name: z.string().trim().min(1).max(100),
    role: z
      .enum(userRoles)
      .optional()
      .describe("Defaults to the creator's role; may not be higher."),
    expiresAt: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .refine((date) => date.getTime() > Date.now(), 'must be in the future')
      .optional()
      .describe('ISO 8601 date-time; the key stops working then.'),
  }),
) {}

export class ApiKeyListQueryDto extends zodDto(
  'ApiKeyListQuery',
  z.strictObject({
    all: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe("true: every key your role may read (admins: everyone's); default: your own."),
  }),
) {}

const apiKeyViewSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  role: z.enum(userRoles),
  ownerId: z.string().uuid(),
  expiresAt: z.string().datetime().nullable(),
  lastUsedAt: z
    .string()
    .datetime()
    .nullable()
    .describe('Approximate (updated at most once a minute).'),
  createdAt: z.string().datetime(),
});

export class ApiKeyDto extends zodDto('ApiKey', apiKeyViewSchema) {}

export class ApiKeyListDto extends zodDto(
  'ApiKeyList',
  z.object({ items: z.array(apiKeyViewSchema) }),
) {}

export class CreatedApiKeyDto extends zodDto(
  'CreatedApiKey',
  apiKeyViewSchema.extend({
    key: z.string().describe('The secret, shown only now. Send it as X-API-Key.'),
  }),
) {}
