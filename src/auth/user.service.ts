import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { UserRole } from '../database/schema/users';
import { PasswordHasher } from './password.hasher';
import { UserRepository, UserRow } from './user.repository';

export interface NewUser {
  email: string;
  displayName?: string;
  role: UserRole;
  password: string;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export const UserErrors = {
  emailTaken: (email: string) =>
    new AppError('USER_EMAIL_TAKEN', 409, 'Email already registered', {
      detail: `A user with email ${email} already exists.`,
    }),
};

@Injectable()
export class UserService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UserService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  /** First run: with no users and ADMIN_EMAIL/ADMIN_PASSWORD set, create that admin. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config.auth;
    if (!adminEmail || !adminPassword) return;
    if ((await this.users.count()) > 0) return;
    await this.createUser({ email: adminEmail, password: adminPassword, role: 'admin', displayName: 'Administrator' });
    this.logger.log(`created the first admin, ${adminEmail}`);
  }

  async createUser(input: NewUser): Promise<UserView> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.findByEmail(email)) throw UserErrors.emailTaken(email);
    const row = await this.users
      .insert({
        email,
        displayName: input.displayName ?? email.split('@')[0],
        role: input.role,
        passwordHash: await this.hasher.hash(input.password),
      })
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw UserErrors.emailTaken(email);
        throw error;
      });
    return toUserView(row);
  }
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
