import { Readable, Transform } from 'node:stream';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { AppError } from '../common/app-error';
import { zodIssuesToFieldErrors } from '../common/zod';
import { AppConfig } from '../config/app-config';
import { csvRecords, ImportRecord, sdfRecords } from './molecule-import.parsers';
import { createMoleculeSchema, ImportReport, TransferFormat } from './molecule.dto';
import { MoleculeErrors } from './molecule.errors';
import { MoleculeService } from './molecule.service';

export const IMPORT_CONTENT_TYPES = [
  'text/csv',
  'chemical/x-mdl-sdfile',
  'application/octet-stream',
];

/**
 * Streams CSV or SDF into the registry record by record. Each record is registered in its own
 * transaction, so a bad record is reported and never half-written while good ones are kept.
 */
@Injectable()
export class MoleculeImportService implements OnModuleInit {
  constructor(
    private readonly molecules: MoleculeService,
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Import bodies reach the handler as the raw request stream (no buffering, own size limit). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    for (const type of IMPORT_CONTENT_TYPES) {
      if (!fastify.hasContentTypeParser(type)) {
        fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
      }
    }
  }

  async importRequest(
    request: FastifyRequest,
    format: TransferFormat | undefined,
    user: AuthUser,
  ): Promise<ImportReport> {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const resolved = formatFor(contentType, format);
    const limit = this.config.molecule.importMaxBytes;
    if (Number(request.headers['content-length'] ?? 0) > limit)
      throw MoleculeErrors.importTooLarge(limit);
    if (!(request.body instanceof Readable))
      throw MoleculeErrors.importUnsupportedType(contentType);
    return this.importStream(limitedTo(request.body, limit), resolved, user);
  }

  /** Imports every record of the stream; `actor` null registers them as the system (CLI). */
  async importStream(
    source: Readable,
    format: TransferFormat,
    actor: AuthUser | null,
  ): Promise<ImportReport> {
    const report: ImportReport = { format, records: 0, created: [], duplicates: [], errors: [] };
    const records = format === 'csv' ? csvRecords(source) : sdfRecords(source);
    try {
      for await (const record of records) {
        report.records = record.record;
        await this.importRecord(record, actor, report);
      }
    } catch (error) {
      // Problems with the file as a whole: before any record they fail the request; after some
      // records were stored they end the import and are reported, so the stored ones are visible.
      if (!(error instanceof AppError) && !isParseError(error)) throw error;
      if (report.records === 0 && error instanceof AppError) throw error;
      report.errors.push({
        record: report.records + 1,
        name: null,
        code: error instanceof AppError ? error.code : 'MOLECULE_IMPORT_INVALID',
        message:
          error instanceof AppError ? (error.detail ?? error.title) : (error as Error).message,
      });
    }
    return report;
  }

  private async importRecord(
    { record, fields, problem }: ImportRecord,
    actor: AuthUser | null,
    report: ImportReport,
  ) {
    const name = fields.name ?? null;
    if (problem) {
      report.errors.push({ record, name, code: 'MOLECULE_IMPORT_INVALID', message: problem });
      return;
    }
    const parsed = createMoleculeSchema.safeParse({
      smiles: fields.smiles,
      molfile: fields.molfile,
      name: fields.name,
      synonyms: fields.synonyms
        ?.split(/[|;]/)
        .map((synonym) => synonym.trim())
        .filter(Boolean),
      casNumber: fields.cas,
      pubchemCid: numberOrText(fields.pubchemCid),
      densityGPerMl: numberOrText(fields.density),
      tgCelsius: numberOrText(fields.tg),
      tgSource: fields.tgSource,
    });
    if (!parsed.success) {
      const message = zodIssuesToFieldErrors(parsed.error.issues)
        .map((issue) => `${issue.field}: ${issue.message}`)
        .join('; ');
      report.errors.push({ record, name, code: 'VALIDATION_FAILED', message });
      return;
    }
    try {
      const molecule = await this.molecules.register(parsed.data, actor);
      report.created.push({
        record,
        id: molecule.id,
        name: molecule.name,
        inchikey: molecule.inchikey,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'MOLECULE_DUPLICATE') {
        const { existingId, inchikey } = error.extensions as {
          existingId: string;
          inchikey: string;
        };
        report.duplicates.push({ record, name: parsed.data.name, inchikey, existingId });
      } else {
        report.errors.push({
          record,
          name,
          code: error.code,
          message: error.detail ?? error.title,
        });
      }
    }
  }
}

function formatFor(contentType: string, format: TransferFormat | undefined): TransferFormat {
  const byType: Record<string, TransferFormat | undefined> = {
    'text/csv': 'csv',
    'chemical/x-mdl-sdfile': 'sdf',
    'application/octet-stream': format,
  };
  const resolved = byType[contentType];
  if (!resolved || (format !== undefined && format !== resolved)) {
    throw MoleculeErrors.importUnsupportedType(contentType);
  }
  return resolved;
}

/** Counts bytes as they stream and fails the stream past the limit (the body is never buffered). */
function limitedTo(source: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? MoleculeErrors.importTooLarge(limit) : null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}

function numberOrText(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

/** csv-parse reports malformed input with codes like CSV_QUOTE_NOT_CLOSED. */
function isParseError(error: unknown): boolean {
  const code: unknown =
    error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('CSV_');
}
