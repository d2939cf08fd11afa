import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { createMoleculeSchema } from './molecule.dto';
import { MoleculeRepository } from './molecule.repository';
import { MoleculeService } from './molecule.service';

const referenceEntrySchema = z.strictObject({
  name: z.string(),
  smiles: z.string(),
  synonyms: z.array(z.string()),
  casNumber: z.string().nullable(),
  pubchemCid: z.number().int().nullable(),
  densityGPerMl: z.number().nullable(),
  tgCelsius: z.number().nullable(),
  tgSource: z.string().nullable(),
});
const referenceSetSchema = z.strictObject({
  description: z.string(),
  sources: z.array(z.string()),
  molecules: z.array(referenceEntrySchema).min(30),
});
export type ReferenceMolecule = z.infer<typeof referenceEntrySchema>;

export interface SeedReport {
  created: { id: string; name: string }[];
  skipped: { name: string; existingId: string }[];
}

/** The bundled reference cryoprotectants (src/molecule/reference/cryoprotectants.json). */
export function loadReferenceSet(): ReferenceMolecule[] {
  const path = join(__dirname, 'reference', 'cryoprotectants.json');
  return referenceSetSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).molecules;
}

/**
 * Loads the reference set through the registry (so audit, cache and search index follow), as the
 * system user. Idempotent: structures already registered are skipped.
 */
@Injectable()
export class MoleculeSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MoleculeSeedService.name);

  constructor(
    private readonly molecules: MoleculeService,
    private readonly repository: MoleculeRepository,
    private readonly database: Database,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * The first start of an empty embedded database gets the reference set, so a new user sees data.
   * A database whose molecules were all deleted is not empty in this sense (its audit trail says so).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.molecule.seedOnFirstStart || this.database.kind !== 'pglite') return;
    if ((await this.repository.countAll()) > 0) return;
    if ((await this.audit.list({ entityType: 'Molecule', limit: 1 })).items.length > 0) return;
    const report = await this.seed();
    this.logger.log(`first start: seeded ${report.created.length} reference cryoprotectants`);
  }

  async seed(): Promise<SeedReport> {
    const report: SeedReport = { created: [], skipped: [] };
    for (const entry of loadReferenceSet()) {
      const input = createMoleculeSchema.parse({
        smiles: entry.smiles,
        name: entry.name,
        synonyms: entry.synonyms,
        casNumber: entry.casNumber ?? undefined,
        pubchemCid: entry.pubchemCid ?? undefined,
        densityGPerMl: entry.densityGPerMl ?? undefined,
        tgCelsius: entry.tgCelsius ?? undefined,
        tgSource: entry.tgSource ?? undefined,
      });
      try {
        const molecule = await this.molecules.register(input, null);
        report.created.push({ id: molecule.id, name: molecule.name });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'MOLECULE_DUPLICATE') throw error;
        report.skipped.push({ name: entry.name, existingId: String(error.extensions?.existingId) });
      }
    }
    return report;
  }
}
