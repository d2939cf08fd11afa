import { Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { Database } from '../database/database';
import { users } from '../database/schema/users';

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

@Injectable()
export class UserRepository {
  constructor(private readonly database: Database) {}

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.database.db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`)
      .limit(1);
    return row;
  }

  async insert(user: NewUserRow): Promise<UserRow> {
    const [row] = await this.database.db.insert(users).values(user).returning();
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.database.db.select({ count: sql<number>`count(*)::int` }).from(users);
    return row.count;
  }
}
