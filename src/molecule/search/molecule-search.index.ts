import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ChemistryPort, SubstructureQuery } from '../chemistry/chemistry.port';
import { FingerprintIndex, SimilarityScan } from './fingerprint-index';
import {
  MoleculeFingerprintRepository,
  SearchRow,
  TableVersion,
} from './molecule-fingerprint.repository';
import { SubstructureIndex, SubstructureScan } from './substructure-index';

const LOAD_BATCH = 5_000;

/**
 * This replica's in-memory structure-search indexes over the molecules table: a packed Morgan
 * fingerprint index (similarity) and RDKit substructure libraries.
 *
 * Consistency: MoleculeService calls upsert/remove after each committed write, so this replica
 * sees its own writes at once. Writes made by other replicas are picked up by a version check
 * before a search (at most every molecule.search.syncIntervalMs): `count(*)` and `max(updated_at)`
 * of the table; when they moved, rows updated since the last watermark are applied, and if the
 * counts still differ (a delete, or a write committed late with an older timestamp) the id lists
 * are reconciled. A version check is one indexed aggregate and works the same on PGlite and on
 * pooled Postgres connections, where LISTEN/NOTIFY would need a dedicated connection.
 */
@Injectable()
export class MoleculeSearchIndex implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MoleculeSearchIndex.name);
  private readonly fingerprints = new FingerprintIndex();
  private readonly substructures: SubstructureIndex;
  private version: TableVersion = { count: 0, maxUpdatedAt: null };
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly repository: MoleculeFingerprintRepository,
    chemistry: ChemistryPort,
    private readonly config: AppConfig,
  ) {
    this.substructures = new SubstructureIndex(chemistry);
  }

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    this.version = await this.repository.readVersion();
    const rows: SearchRow[] = [];
    for await (const batch of this.repository.streamSearchRows(LOAD_BATCH)) rows.push(...batch);
    this.fingerprints.load(rows.map((row) => ({ id: row.id, fingerprint: row.fingerprint })));
    for (const row of rows) this.substructures.upsert(row.id, row.canonicalSmiles);
    this.lastSyncAt = performance.now();
    this.logger.log(
      `search index loaded ${rows.length} molecules in ${Math.round(this.lastSyncAt - started)} ms`,
    );
  }

  onModuleDestroy(): void {
    this.substructures.clear();
  }

  get size(): number {
    return this.fingerprints.size;
  }

  /** Adds or replaces a molecule (after its write committed). */
  upsert(id: string, fingerprint: Uint8Array, canonicalSmiles: string): void {
    if (this.substructures.smilesOf(id) === canonicalSmiles && this.fingerprints.has(id)) return;
    this.fingerprints.upsert(id, new Uint8Array(fingerprint));
    this.substructures.upsert(id, canonicalSmiles);
  }

  /** Drops a molecule (after its delete committed). */
  remove(id: string): void {
    this.fingerprints.remove(id);
    this.substructures.remove(id);
  }

  async similarity(
    fingerprint: Uint8Array,
    threshold: number,
    deadline: number,
  ): Promise<SimilarityScan> {
    await this.ensureFresh();
    return this.fingerprints.search(fingerprint, { threshold, deadline });
  }

  async substructure(
    query: SubstructureQuery,
    maxResults: number,
    deadline: number,
  ): Promise<SubstructureScan> {
    await this.ensureFresh();
    return this.substructures.search(query, maxResults, deadline);
  }

  /** Applies other replicas' writes if the table changed since the last check. */
  async ensureFresh(): Promise<void> {
    if (performance.now() - this.lastSyncAt < this.config.molecule.search.syncIntervalMs) return;
    this.syncing ??= this.sync().finally(() => {
      this.syncing = null;
    });
    await this.syncing;
  }

  private async sync(): Promise<void> {
    const version = await this.repository.readVersion();
    this.lastSyncAt = performance.now();
    if (version.count === this.version.count && version.maxUpdatedAt === this.version.maxUpdatedAt)
      return;
    if (version.maxUpdatedAt !== null && version.maxUpdatedAt !== this.version.maxUpdatedAt) {
      if (this.version.maxUpdatedAt === null) {
        for await (const batch of this.repository.streamSearchRows(LOAD_BATCH))
          this.applyRows(batch);
      } else {
        this.applyRows(await this.repository.findSearchRowsUpdatedSince(this.version.maxUpdatedAt));
      }
    }
    if (this.fingerprints.size !== version.count) await this.reconcileIds();
    this.version = version;
  }

  private async reconcileIds(): Promise<void> {
    const ids = new Set(await this.repository.listIds());
    for (const id of this.substructures.ids()) if (!ids.has(id)) this.remove(id);
    const missing = [...ids].filter((id) => !this.fingerprints.has(id));
    this.applyRows(await this.repository.findSearchRowsByIds(missing));
  }

  private applyRows(rows: SearchRow[]): void {
    for (const row of rows) this.upsert(row.id, row.fingerprint, row.canonicalSmiles);
  }
}
