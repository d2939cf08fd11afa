import { Injectable } from '@nestjs/common';
import { and, eq, isNull } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { refreshTokens } from '../database/schema/auth';

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type NewRefreshTokenRow = typeof refreshTokens.$inferInsert;

@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly database: Database) {}

  async insert(token: NewRefreshTokenRow, tx?: Db): Promise<RefreshTokenRow> {
    const [row] = await (tx ?? this.database.db).insert(refreshTokens).values(token).returning();
    return row;
  }

  /** Locks the row so two concurrent refreshes with the same token cannot both rotate it. */
  async findByHashForUpdate(tokenHash: string, tx: Db): Promise<RefreshTokenRow | undefined> {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1)
      .for('update');
    return row;
  }

  async markRotated(id: string, at: Date, tx: Db): Promise<void> {
    await tx.update(refreshTokens).set({ rotatedAt: at }).where(eq(refreshTokens.id, id));
  }

  async revokeFamily(familyId: string, at: Date, tx?: Db): Promise<number> {
    const rows = await (tx ?? this.database.db)
      .update(refreshTokens)
      .set({ revokedAt: at })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length;
  }

  async revokeAllOfUser(userId: string, at: Date, tx?: Db): Promise<number> {
    const rows = await (tx ?? this.database.db)
      .update(refreshTokens)
      .set({ revokedAt: at })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length;
  }
}
