import { Injectable } from '@nestjs/common';
import {
  and,
  asc,
  eq,
  getTableColumns,
  inArray,
  InferInsertModel,
  InferSelectModel,
  sql,
  SQL,
} from 'drizzle-orm';
import { Database, Db } from '../database/database';
import { mixtureComponents, mixtures, molecules } from '../database/schema';

export type MixtureRow = InferSelectModel<typeof mixtures>;
export type NewMixture = InferInsertModel<typeof mixtures>;
export type NewComponent = Omit<InferInsertModel<typeof mixtureComponents>, 'mixtureId' | 'id'>;
export type MixtureListRow = MixtureRow & { sortKey: string };

/** A molecule's data that unit conversion and the estimates need. */
export interface ComponentMolecule {
  id: string;
  name: string;
  molecularWeight: number;
  densityGPerMl: number | null;
  tgCelsius: number | null;
  score: number;
}

export interface ComponentRow extends ComponentMolecule {
  mixtureId: string;
  moleculeId: string;
  position: number;
  value: number;
  unit: string;
  role: string | null;
}

export interface MixtureFilters {
  name?: string;
  containsMolecule?: string;
  owner?: string;
}

const moleculeData = {
  id: molecules.id,
  name: molecules.name,
  molecularWeight: molecules.molecularWeight,
  densityGPerMl: molecules.densityGPerMl,
  tgCelsius: molecules.tgCelsius,
  score: molecules.score,
};

@Injectable()
export class MixtureRepository {
  constructor(private readonly database: Database) {}

  /** Locks the rows (FOR SHARE) so a concurrent delete cannot remove a molecule being used. */
  async findMoleculesForUse(ids: string[], tx: Db): Promise<ComponentMolecule[]> {
    if (ids.length === 0) return [];
    return tx.select(moleculeData).from(molecules).where(inArray(molecules.id, ids)).for('share');
  }

  async insert(values: NewMixture, tx: Db): Promise<MixtureRow> {
    const [row] = await tx.insert(mixtures).values(values).returning();
    return row;
  }

  async insertComponents(mixtureId: string, rows: NewComponent[], tx: Db): Promise<void> {
    await tx.insert(mixtureComponents).values(rows.map((row) => ({ ...row, mixtureId })));
  }

  async replaceComponents(mixtureId: string, rows: NewComponent[], tx: Db): Promise<void> {
    await tx.delete(mixtureComponents).where(eq(mixtureComponents.mixtureId, mixtureId));
    await this.insertComponents(mixtureId, rows, tx);
  }

  async findById(id: string, tx?: Db): Promise<MixtureRow | undefined> {
    const [row] = await (tx ?? this.database.db)
      .select()
      .from(mixtures)
      .where(eq(mixtures.id, id))
      .limit(1);
    return row;
  }

  /** Every component of the given mixtures with its molecule's data, in ONE query. */
  async findComponentsOf(mixtureIds: string[], tx?: Db): Promise<ComponentRow[]> {
    if (mixtureIds.length === 0) return [];
    return (tx ?? this.database.db)
      .select({
        ...moleculeData,
        mixtureId: mixtureComponents.mixtureId,
        moleculeId: mixtureComponents.moleculeId,
        position: mixtureComponents.position,
        value: mixtureComponents.value,
        unit: mixtureComponents.unit,
        role: mixtureComponents.role,
      })
      .from(mixtureComponents)
      .innerJoin(molecules, eq(molecules.id, mixtureComponents.moleculeId))
      .where(inArray(mixtureComponents.mixtureId, mixtureIds))
      .orderBy(asc(mixtureComponents.mixtureId), asc(mixtureComponents.position));
  }

  /** A page in creation order (keyset on created_at, id). */
  async search(
    filters: MixtureFilters,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<MixtureListRow[]> {
    const conditions: SQL[] = [];
    if (filters.name) {
      const pattern = `%${filters.name.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      conditions.push(sql`${mixtures.name} ILIKE ${pattern}`);
    }
    if (filters.owner) conditions.push(eq(mixtures.createdBy, filters.owner));
    if (filters.containsMolecule) {
      conditions.push(
        sql`EXISTS (SELECT 1 FROM ${mixtureComponents} WHERE ${mixtureComponents.mixtureId} = ${mixtures.id} AND ${mixtureComponents.moleculeId} = ${filters.containsMolecule})`,
      );
    }
    if (after) {
      conditions.push(
        sql`(${mixtures.createdAt}, ${mixtures.id}) > (CAST(${after.createdAt} AS timestamptz), CAST(${after.id} AS uuid))`,
      );
    }
    return this.database.db
      .select({ ...getTableColumns(mixtures), sortKey: sql<string>`(${mixtures.createdAt})::text` })
      .from(mixtures)
      .where(conditions.length > 0 ? and(...conditions) : undefined)
      .orderBy(asc(mixtures.createdAt), asc(mixtures.id))
      .limit(limit);
  }

  async update(id: string, changes: Partial<NewMixture>, tx: Db): Promise<MixtureRow> {
    const [row] = await tx
      .update(mixtures)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(mixtures.id, id))
      .returning();
    return row;
  }

  async delete(id: string, tx: Db): Promise<void> {
    await tx.delete(mixtures).where(eq(mixtures.id, id));
  }
}
