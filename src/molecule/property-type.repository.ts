import { Injectable } from '@nestjs/common';
import { asc, eq, inArray, InferInsertModel, InferSelectModel } from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { propertyTypes } from '../database/schema';

export type PropertyTypeRow = InferSelectModel<typeof propertyTypes>;

@Injectable()
export class PropertyTypeRepository {
  constructor(private readonly database: Database) {}

  async findAll(): Promise<PropertyTypeRow[]> {
    return this.database.db.select().from(propertyTypes).orderBy(asc(propertyTypes.key));
  }

  async findByKey(key: string, tx?: Db): Promise<PropertyTypeRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(propertyTypes)
      .where(eq(propertyTypes.key, key));
    return row;
  }

  async findByKeys(keys: string[], tx?: Db): Promise<PropertyTypeRow[]> {
    if (keys.length === 0) return [];
    return (tx ?? this.database.db)
      .select()
      .from(propertyTypes)
      .where(inArray(propertyTypes.key, keys));
  }

  /** Inserts unless the key exists; undefined means it did. */
  async insertNew(
    values: InferInsertModel<typeof propertyTypes>,
    tx: Db,
  ): Promise<PropertyTypeRow | undefined> {
    const [row] = await tx.insert(propertyTypes).values(values).onConflictDoNothing().returning();
    return row;
  }
}
