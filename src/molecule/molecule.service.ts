import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { CacheKeys, CacheTtlSeconds } from '../cache/cache-keys';
import { CacheService } from '../cache/cache.service';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { Database } from '../database/database';
import { AbilityFactory, asSubject } from '../rbac/ability.factory';
import { ChemistryPort, ChemistryResult, StructureInput } from './chemistry/chemistry.port';
import {
  CreateMoleculeInput,
  ListMoleculesQuery,
  MoleculeSortField,
  MoleculeView,
  UpdateMoleculeInput,
} from './molecule.dto';
import { MoleculeErrors } from './molecule.errors';
import {
  databaseErrorCode,
  MoleculeChanges,
  MoleculeCursor,
  MoleculeFilters,
  MoleculeRepository,
  MoleculeRow,
  REFERENCED_ROW_CODES,
  UNIQUE_VIOLATION,
} from './molecule.repository';
import { MoleculeScores, scoreMolecule } from './scoring/molecule-scores';
import { MoleculeSearchIndex } from './search/molecule-search.index';

/** What the `descriptors` jsonb column holds: everything the chemistry port computed except identity. */
interface StoredChemistry {
  descriptors: ChemistryResult['descriptors'];
  functionalGroups: ChemistryResult['functionalGroups'];
  rules: ChemistryResult['rules'];
}

export interface DepictionRequest {
  width: number;
  height: number;
  highlight?: number[];
}

const cursorValuePatterns: Record<MoleculeSortField, RegExp> = {
  name: /^[\s\S]{0,300}$/,
  molecularWeight: /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i,
  score: /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i,
  createdAt: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/,
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The molecule registry's rules: identity by InChIKey, ownership (researchers change only what they
 * registered), one transaction per write with its audit event, cache and search index kept in step.
 */
@Injectable()
export class MoleculeService {
  constructor(
    private readonly molecules: MoleculeRepository,
    private readonly chemistry: ChemistryPort,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly cache: CacheService,
    private readonly abilities: AbilityFactory,
    private readonly searchIndex: MoleculeSearchIndex,
  ) {}

  /** Registers a structure; `actor` null means the system (seeding). Duplicate InChIKey → 409. */
  async register(input: CreateMoleculeInput, actor: AuthUser | null): Promise<MoleculeView> {
    const structure = structureOf(input)!;
    const chemistry = this.chemistry.analyse(structure);
    const existingId = await this.molecules.findIdByInchikey(chemistry.inchikey);
    if (existingId) throw MoleculeErrors.duplicate(chemistry.inchikey, existingId);
    const row = await this.database
      .transaction(async (tx) => {
        const inserted = await this.molecules.insert(
          {
            name: input.name,
            synonyms: input.synonyms ?? [],
            casNumber: input.casNumber ?? null,
            pubchemCid: input.pubchemCid ?? null,
            densityGPerMl: input.densityGPerMl ?? null,
            tgCelsius: input.tgCelsius ?? null,
            tgSource: input.tgSource ?? null,
            createdBy: actor?.id ?? null,
            ...chemistryColumns(structure, chemistry),
          },
          tx,
        );
        await this.audit.record(
          {
            action: 'molecule.create',
            entityType: 'Molecule',
            entityId: inserted.id,
            after: toMoleculeView(inserted),
            actor: auditActor(actor),
          },
          tx,
        );
        return inserted;
      })
      .catch((error: unknown) => this.rethrowAsDuplicate(error, chemistry.inchikey));
    this.searchIndex.upsert(row.id, row.fingerprint, row.canonicalSmiles);
    return toMoleculeView(row);
  }

  async get(id: string): Promise<MoleculeView> {
    const cached = await this.cache.get<MoleculeView>(CacheKeys.molecule(id));
    if (cached) return cached;
    const row = await this.molecules.findById(id);
    if (!row) throw MoleculeErrors.notFound(id);
    const view = toMoleculeView(row);
    await this.cache.set(CacheKeys.molecule(id), view, CacheTtlSeconds.molecule);
    return view;
  }

  async list(query: ListMoleculesQuery): Promise<Page<MoleculeView>> {
    const sort = { field: query.sort, direction: query.order };
    const cursor = query.cursor
      ? parseListCursor(query.cursor, sort.field, sort.direction)
      : undefined;
    const filters: MoleculeFilters = {
      text: query.q,
      ranges: [
        { column: 'molecularWeight', min: query.molecularWeightMin, max: query.molecularWeightMax },
        { column: 'logp', min: query.logPMin, max: query.logPMax },
        { column: 'tpsa', min: query.tpsaMin, max: query.tpsaMax },
        { column: 'hbd', min: query.hbdMin, max: query.hbdMax },
        { column: 'hba', min: query.hbaMin, max: query.hbaMax },
        { column: 'score', min: query.scoreMin, max: query.scoreMax },
      ],
    };
    const rows = await this.molecules.search(filters, sort, cursor, query.limit + 1);
    const page = toPage(rows, query.limit, (row) => [
      sort.field,
      sort.direction,
      row.sortKey,
      row.id,
    ]);
    return { items: page.items.map(toMoleculeView), nextCursor: page.nextCursor };
  }

  async update(id: string, input: UpdateMoleculeInput, user: AuthUser): Promise<MoleculeView> {
    const structure = structureOf(input);
    const chemistry = structure ? this.chemistry.analyse(structure) : undefined;
    const changes: MoleculeChanges = {
      ...definedOnly({
        name: input.name,
        synonyms: input.synonyms,
        casNumber: input.casNumber,
        pubchemCid: input.pubchemCid,
        densityGPerMl: input.densityGPerMl,
        tgCelsius: input.tgCelsius,
        tgSource: input.tgSource,
      }),
      ...(structure && chemistry ? chemistryColumns(structure, chemistry) : {}),
    };
    const row = await this.database
      .transaction(async (tx) => {
        const before = await this.molecules.findById(id, tx);
        if (!before) throw MoleculeErrors.notFound(id);
        this.assertMay(user, 'update', before);
        if (chemistry && chemistry.inchikey !== before.inchikey) {
          const other = await this.molecules.findByInchikey(chemistry.inchikey, tx);
          if (other) throw MoleculeErrors.duplicate(chemistry.inchikey, other.id);
        }
        const updated = (await this.molecules.update(id, changes, tx))!;
        await this.audit.record(
          {
            action: 'molecule.update',
            entityType: 'Molecule',
            entityId: id,
            before: toMoleculeView(before),
            after: toMoleculeView(updated),
          },
          tx,
        );
        return updated;
      })
      .catch((error: unknown) => this.rethrowAsDuplicate(error, chemistry?.inchikey));
    await this.cache.del(CacheKeys.molecule(id));
    if (chemistry) this.searchIndex.upsert(row.id, row.fingerprint, row.canonicalSmiles);
    return toMoleculeView(row);
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    await this.database
      .transaction(async (tx) => {
        const before = await this.molecules.findById(id, tx);
        if (!before) throw MoleculeErrors.notFound(id);
        this.assertMay(user, 'delete', before);
        await this.molecules.delete(id, tx);
        await this.audit.record(
          {
            action: 'molecule.delete',
            entityType: 'Molecule',
            entityId: id,
            before: toMoleculeView(before),
          },
          tx,
        );
      })
      .catch((error: unknown) => {
        // Mixtures reference molecules with a restricting foreign key.
        if (REFERENCED_ROW_CODES.includes(databaseErrorCode(error) ?? ''))
          throw MoleculeErrors.inUse(id);
        throw error;
      });
    await this.cache.del(CacheKeys.molecule(id));
    this.searchIndex.remove(id);
  }

  async depict(id: string, request: DepictionRequest): Promise<string> {
    const molecule = await this.get(id);
    const atoms = molecule.descriptors.heavyAtoms;
    const outside = (request.highlight ?? []).filter((index) => index >= atoms);
    if (outside.length > 0) {
      throw MoleculeErrors.highlightOutOfRange(outside, atoms);
    }
    return this.chemistry.depict(molecule.canonicalSmiles, {
      width: request.width,
      height: request.height,
      highlightAtoms: request.highlight,
    });
  }

  private assertMay(user: AuthUser, action: 'update' | 'delete', row: MoleculeRow): void {
    const record: Record<string, unknown> = { ...row };
    if (!this.abilities.createForUser(user).can(action, asSubject('Molecule', record))) {
      throw MoleculeErrors.notOwner(action);
    }
  }

  /** A concurrent registration of the same structure loses at the unique index: answer 409 too. */
  private async rethrowAsDuplicate(error: unknown, inchikey: string | undefined): Promise<never> {
    if (inchikey && databaseErrorCode(error) === UNIQUE_VIOLATION) {
      const existing = await this.molecules.findIdByInchikey(inchikey);
      if (existing) throw MoleculeErrors.duplicate(inchikey, existing);
    }
    throw error;
  }
}

function structureOf(input: { smiles?: string; molfile?: string }): StructureInput | undefined {
  if (input.smiles !== undefined) return { smiles: input.smiles };
  if (input.molfile !== undefined) return { molfile: input.molfile };
  return undefined;
}

function chemistryColumns(structure: StructureInput, chemistry: ChemistryResult) {
  const scores: MoleculeScores = scoreMolecule(chemistry);
  const stored: StoredChemistry = {
    descriptors: chemistry.descriptors,
    functionalGroups: chemistry.functionalGroups,
    rules: chemistry.rules,
  };
  return {
    inputStructure: structure.smiles ?? structure.molfile ?? '',
    canonicalSmiles: chemistry.canonicalSmiles,
    inchi: chemistry.inchi,
    inchikey: chemistry.inchikey,
    formula: chemistry.formula,
    molecularWeight: chemistry.descriptors.molecularWeight,
    exactMass: chemistry.descriptors.exactMass,
    logp: chemistry.descriptors.logP,
    tpsa: chemistry.descriptors.tpsa,
    hbd: chemistry.descriptors.hbd,
    hba: chemistry.descriptors.hba,
    descriptors: stored as unknown as Record<string, unknown>,
    score: scores.composite.value,
    scores: scores as unknown as Record<string, unknown>,
    scoreModelVersion: scores.composite.model.version,
    fingerprint: Buffer.from(chemistry.fingerprint),
  };
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function parseListCursor(
  cursor: string,
  field: MoleculeSortField,
  direction: string,
): MoleculeCursor {
  const [cursorField, cursorDirection, value, id] = decodeCursor(cursor, 4);
  const valid =
    cursorField === field &&
    cursorDirection === direction &&
    typeof value === 'string' &&
    cursorValuePatterns[field].test(value) &&
    typeof id === 'string' &&
    UUID.test(id);
  // A cursor from another sort order would skip or repeat rows; refuse it like a forged one.
  if (!valid) throw MoleculeErrors.cursorMismatch();
  return { value, id };
}

function auditActor(actor: AuthUser | null) {
  return actor ? { id: actor.id, email: actor.email } : null;
}

export function toMoleculeView(row: MoleculeRow): MoleculeView {
  const stored = row.descriptors as unknown as StoredChemistry;
  return {
    id: row.id,
    name: row.name,
    synonyms: row.synonyms,
    casNumber: row.casNumber,
    pubchemCid: row.pubchemCid,
    canonicalSmiles: row.canonicalSmiles,
    inchi: row.inchi,
    inchikey: row.inchikey,
    formula: row.formula,
    descriptors: stored.descriptors as unknown as Record<string, number>,
    functionalGroups: stored.functionalGroups as unknown as Record<string, number>,
    rules: stored.rules,
    score: row.score,
    scores: row.scores as MoleculeView['scores'],
    scoreModelVersion: row.scoreModelVersion,
    densityGPerMl: row.densityGPerMl,
    tgCelsius: row.tgCelsius,
    tgSource: row.tgSource,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
