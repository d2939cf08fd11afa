import { UserRole } from '../database/schema/users';

/** The authenticated caller of a request, whatever credential it used. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  /** How the caller authenticated. */
  via: 'password' | 'api-key' | 'supabase';
  /** For API keys: the key's id (its role may be lower than its owner's). */
  apiKeyId?: string;
}
