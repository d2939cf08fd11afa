import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AuthUser } from './auth-user';
import { PasswordHasher } from './password.hasher';
import { TokenService } from './token.service';
import { UserRepository } from './user.repository';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export const LoginErrors = {
  // One answer for unknown email and wrong password, so the endpoint does not reveal accounts.
  invalidCredentials: () =>
    new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Invalid credentials', {
      detail: 'The email or password is not correct.',
    }),
  disabled: () => new AppError('AUTH_USER_DISABLED', 401, 'Account disabled', { detail: 'This account is disabled.' }),
};

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.users.findByEmail(email);
    if (!user?.passwordHash) {
      await this.hasher.verify(await this.hasher.decoy, password);
      throw LoginErrors.invalidCredentials();
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) throw LoginErrors.invalidCredentials();
    if (user.status !== 'active') throw LoginErrors.invalidCredentials();
    return {
      accessToken: await this.tokens.signAccessToken({ sub: user.id, role: user.role }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
    };
  }

  /** Resolves a bearer access token to the current state of its user. */
  async authenticateAccessToken(token: string): Promise<AuthUser> {
    const claims = await this.tokens.verifyAccessToken(token);
    const user = await this.users.findById(claims.sub);
    if (!user) throw new AppError('AUTH_TOKEN_INVALID', 401, 'Invalid token', { detail: 'Unknown user.' });
    if (user.status !== 'active') throw LoginErrors.disabled();
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, via: 'password' };
  }
}
