import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ChemistryPort } from '../chemistry/chemistry.port';
import { SimilarityResultView, SubstructureResultView } from '../search.dto';
import { MoleculeFingerprintRepository, MoleculeSummary } from './molecule-fingerprint.repository';
import { MoleculeSearchIndex } from './molecule-search.index';
import { SearchErrors } from './search.errors';

export interface SimilarityRequest {
  smiles: string;
  threshold: number;
  limit: number;
}

export interface SubstructureRequest {
  smarts?: string;
  smiles?: string;
  limit: number;
}

/** Structure search: validates the query, runs it on the in-memory index within the time budget, then reads summaries in one query. */
@Injectable()
export class MoleculeSearchService {
  constructor(
    private readonly index: MoleculeSearchIndex,
    private readonly chemistry: ChemistryPort,
    private readonly repository: MoleculeFingerprintRepository,
    private readonly config: AppConfig,
  ) {}

  async similarity(request: SimilarityRequest): Promise<SimilarityResultView> {
    const started = performance.now();
    this.checkLimit(request.limit);
    const { canonicalSmiles, fingerprint } = this.chemistry.fingerprint(request.smiles);
    const scan = await this.index.similarity(
      fingerprint,
      request.threshold,
      this.deadline(started),
    );
    const ranked = scan.hits
      .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, request.limit);
    const summaries = await this.summaries(ranked.map((hit) => hit.id));
    const hits = ranked.flatMap((hit) => {
      const molecule = summaries.get(hit.id);
      return molecule ? [{ similarity: hit.similarity, molecule }] : [];
    });
    const reason = scan.timedOut
      ? 'time-budget'
      : scan.hits.length > request.limit
        ? 'result-limit'
        : undefined;
    return {
      query: { canonicalSmiles, threshold: request.threshold },
      hits,
      totalHits: scan.hits.length,
      count: hits.length,
      ...truncation(reason),
      searched: this.index.size,
      elapsedMs: elapsed(started),
    };
  }

  async substructure(request: SubstructureRequest): Promise<SubstructureResultView> {
    const started = performance.now();
    this.checkLimit(request.limit);
    const query = this.chemistry.compileSubstructureQuery({
      smarts: request.smarts,
      smiles: request.smiles,
    });
    try {
      const scan = await this.index.substructure(query, request.limit, this.deadline(started));
      const summaries = await this.summaries(scan.ids);
      const hits = scan.ids.flatMap((id) => {
        const molecule = summaries.get(id);
        return molecule ? [{ molecule }] : [];
      });
      const reason = scan.timedOut ? 'time-budget' : scan.capped ? 'result-limit' : undefined;
      return {
        query:
          request.smarts !== undefined ? { smarts: request.smarts } : { smiles: request.smiles },
        hits,
        count: hits.length,
        ...truncation(reason),
        searched: this.index.size,
        elapsedMs: elapsed(started),
      };
    } finally {
      query.dispose();
    }
  }

  private checkLimit(limit: number): void {
    const max = this.config.molecule.search.maxResults;
    if (limit > max) throw SearchErrors.limitTooLarge(limit, max);
  }

  private deadline(started: number): number {
    return started + this.config.molecule.search.timeBudgetMs;
  }

  private async summaries(ids: string[]): Promise<Map<string, MoleculeSummary>> {
    const rows = await this.repository.findSummariesByIds(ids);
    return new Map(rows.map((row) => [row.id, row]));
  }
}

function truncation(reason: 'time-budget' | 'result-limit' | undefined) {
  return reason ? { truncated: true, truncatedReason: reason } : { truncated: false };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
