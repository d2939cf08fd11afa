import { Injectable } from '@nestjs/common';
import { asc, eq, sql } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { users } from '../database/schema/users';

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type UserChanges = Partial<
  Pick<UserRow, 'role' | 'status' | 'displayName' | 'externalSubject'>
>;

@Injectable()
export class UserRepository {
  constructor(private readonly database: Database) {}

  async findById(id: string, tx?: Db): Promise<UserRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(users)
      .where(eq(users.id, id))
      .limit(1);
    return row;
  }

  async findByEmail(email: string, tx?: Db): Promise<UserRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`)
      .limit(1);
    return row;
  }

  async findByExternalSubject(subject: string): Promise<UserRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(users)
      .where(eq(users.externalSubject, subject))
      .limit(1);
    return row;
  }

  async listByEmail(): Promise<UserRow[]> {
    return this.database.db.select().from(users).orderBy(asc(users.email));
  }

  async insert(user: NewUserRow, tx?: Db): Promise<UserRow> {
    const [row] = await (tx ?? this.database.db).insert(users).values(user).returning();
    return row;
  }

  async update(id: string, changes: UserChanges, tx: Db): Promise<UserRow | undefined> {
    const [row] = await tx
      .update(users)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.database.db.select({ count: sql<number>`count(*)::int` }).from(users);
    return row.count;
  }
}
