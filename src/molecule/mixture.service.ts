import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Page, toPage } from '../common/pagination';
import { Database, Db } from '../database/database';
import { AbilityFactory, asSubject } from '../rbac/ability.factory';
import {
  ComponentInput,
  CreateMixtureInput,
  ListMixturesQuery,
  MixtureView,
  UpdateMixtureInput,
} from './mixture.dto';
import { parseTimestampCursor } from './mixture.cursor';
import { MixtureErrors } from './mixture.errors';
import {
  ComponentMolecule,
  ComponentRow,
  MixtureRepository,
  MixtureRow,
  NewComponent,
} from './mixture.repository';
import { toMixtureView } from './mixture.view';
import { databaseErrorCode, REFERENCED_ROW_CODES } from './molecule.repository';
import { MixtureReconcileError, normaliseMixture } from './units/mixture-composition';

/**
 * Mixture rules: components must exist and be reconcilable to one basis (else 422 naming the
 * component), researchers change only their own, and every write is one transaction with its audit event.
 */
@Injectable()
export class MixtureService {
  constructor(
    private readonly mixtures: MixtureRepository,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
  ) {}

  async create(input: CreateMixtureInput, user: AuthUser): Promise<MixtureView> {
    return this.database.transaction(async (tx) => {
      const solutionDensity = input.solutionDensityGPerMl ?? null;
      const components = await this.reconciledComponents(input.components, solutionDensity, tx);
      const row = await this.mixtures.insert(
        {
          name: input.name,
          description: input.description ?? null,
          carrier: input.carrier ?? null,
          aqueous: input.aqueous ?? true,
          solutionDensityGPerMl: solutionDensity,
          createdBy: user.id,
        },
        tx,
      );
      await this.mixtures.insertComponents(row.id, components, tx);
      const view = await this.viewOf(row, tx);
      await this.audit.record(
        { action: 'mixture.create', entityType: 'Mixture', entityId: row.id, after: view },
        tx,
      );
      return view;
    });
  }

  async get(id: string): Promise<MixtureView> {
    const row = await this.mixtures.findById(id);
    if (!row) throw MixtureErrors.notFound('Mixture', id);
    return this.viewOf(row);
  }

  /** One query for the page and one for all of its components: never a query per mixture. */
  async list(query: ListMixturesQuery): Promise<Page<MixtureView>> {
    const cursor = query.cursor ? parseTimestampCursor(query.cursor) : undefined;
    const after = cursor ? { createdAt: cursor.at, id: cursor.id } : undefined;
    const rows = await this.mixtures.search(
      { name: query.name, containsMolecule: query.containsMolecule, owner: query.owner },
      after,
      query.limit + 1,
    );
    const page = toPage(rows, query.limit, (row) => [row.sortKey, row.id]);
    const components = groupByMixture(
      await this.mixtures.findComponentsOf(page.items.map((row) => row.id)),
    );
    return {
      items: page.items.map((row) => toMixtureView(row, components.get(row.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  async update(id: string, input: UpdateMixtureInput, user: AuthUser): Promise<MixtureView> {
    return this.database.transaction(async (tx) => {
      const before = await this.mixtures.findById(id, tx);
      if (!before) throw MixtureErrors.notFound('Mixture', id);
      this.assertMay(user, 'update', before);
      const beforeView = await this.viewOf(before, tx);
      const solutionDensity =
        input.solutionDensityGPerMl === undefined
          ? before.solutionDensityGPerMl
          : input.solutionDensityGPerMl;
      const current: ComponentInput[] = beforeView.components.map((component) => ({
        moleculeId: component.moleculeId,
        concentration: component.given as ComponentInput['concentration'],
        role: component.role ?? undefined,
      }));
      const components = await this.reconciledComponents(
        input.components ?? current,
        solutionDensity,
        tx,
      );
      const row = await this.mixtures.update(
        id,
        {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.carrier !== undefined ? { carrier: input.carrier } : {}),
          ...(input.aqueous !== undefined ? { aqueous: input.aqueous } : {}),
          solutionDensityGPerMl: solutionDensity,
        },
        tx,
      );
      if (input.components) await this.mixtures.replaceComponents(id, components, tx);
      const after = await this.viewOf(row, tx);
      await this.audit.record(
        {
          action: 'mixture.update',
          entityType: 'Mixture',
          entityId: id,
          before: beforeView,
          after,
        },
        tx,
      );
      return after;
    });
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    await this.database
      .transaction(async (tx) => {
        const before = await this.mixtures.findById(id, tx);
        if (!before) throw MixtureErrors.notFound('Mixture', id);
        this.assertMay(user, 'delete', before);
        const view = await this.viewOf(before, tx);
        await this.mixtures.delete(id, tx);
        await this.audit.record(
          { action: 'mixture.delete', entityType: 'Mixture', entityId: id, before: view },
          tx,
        );
      })
      .catch((error: unknown) => {
        // Experiments reference mixtures with a restricting foreign key: measurements are not discarded silently.
        if (REFERENCED_ROW_CODES.includes(databaseErrorCode(error) ?? ''))
          throw MixtureErrors.inUse(id);
        throw error;
      });
  }

  async viewOf(row: MixtureRow, tx?: Db): Promise<MixtureView> {
    return toMixtureView(row, await this.mixtures.findComponentsOf([row.id], tx));
  }

  /** Existing molecules, reconcilable units: otherwise a 422 naming the component's field. */
  private async reconciledComponents(
    components: ComponentInput[],
    solutionDensity: number | null,
    tx: Db,
  ): Promise<NewComponent[]> {
    const found = await this.mixtures.findMoleculesForUse(
      components.map((component) => component.moleculeId),
      tx,
    );
    const byId = new Map<string, ComponentMolecule>(
      found.map((molecule) => [molecule.id, molecule]),
    );
    const unknown = components
      .map((component, index) => ({
        field: `components.${index}.moleculeId`,
        id: component.moleculeId,
      }))
      .filter((entry) => !byId.has(entry.id));
    if (unknown.length > 0) throw MixtureErrors.unknownMolecules(unknown);
    try {
      normaliseMixture(
        components.map((component) => ({
          ...byId.get(component.moleculeId)!,
          concentration: component.concentration,
        })),
        solutionDensity,
      );
    } catch (error) {
      if (!(error instanceof MixtureReconcileError)) throw error;
      const field = `components.${error.index}.concentration`;
      if (error.datum === 'composition')
        throw MixtureErrors.irreconcilable(`${field}.value`, error.message);
      throw MixtureErrors.conversionNeedsData(`${field}.unit`, error.datum, error.message);
    }
    return components.map((component, position) => ({
      moleculeId: component.moleculeId,
      position,
      value: component.concentration.value,
      unit: component.concentration.unit,
      role: component.role ?? null,
    }));
  }

  private assertMay(user: AuthUser, action: 'update' | 'delete', row: MixtureRow): void {
    const record: Record<string, unknown> = { ...row };
    if (!this.abilities.createForUser(user).can(action, asSubject('Mixture', record))) {
      throw MixtureErrors.notOwner('mixtures', action);
    }
  }
}

function groupByMixture(rows: ComponentRow[]): Map<string, ComponentRow[]> {
  const groups = new Map<string, ComponentRow[]>();
  for (const row of rows) {
    const group = groups.get(row.mixtureId);
    if (group) group.push(row);
    else groups.set(row.mixtureId, [row]);
  }
  return groups;
}
