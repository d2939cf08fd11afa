import { z } from 'zod';
import { zodDto } from '../common/zod';

// The static maximum is the configuration's ceiling; the service also enforces molecule.search.maxResults.
const limit = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .default(100)
  .describe('Most hits returned (≤ molecule.search.maxResults).');

export const similaritySearchSchema = z.strictObject({
  smiles: z.string().max(100_000).describe('Query structure.'),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.7)
    .describe('Minimum Tanimoto similarity (Morgan r2, 2048 bits).'),
  limit,
});

export const substructureSearchSchema = z.strictObject({
  smarts: z
    .string()
    .max(100_000)
    .optional()
    .describe('SMARTS query; give exactly one of smarts or smiles.'),
  smiles: z.string().max(100_000).optional().describe('SMILES used as a substructure query.'),
  limit,
});

export class SimilaritySearchDto extends zodDto('SimilaritySearch', similaritySearchSchema) {}
export class SubstructureSearchDto extends zodDto('SubstructureSearch', substructureSearchSchema) {}

const moleculeSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  canonicalSmiles: z.string(),
  inchikey: z.string(),
  molecularWeight: z.number(),
  score: z.number().describe('Composite cryoprotection score 0–100 (heuristic estimate).'),
});

const searchMetaSchema = {
  count: z.number().int().describe('Hits returned.'),
  truncated: z.boolean().describe('True when the search stopped early; see truncatedReason.'),
  truncatedReason: z
    .enum(['time-budget', 'result-limit'])
    .optional()
    .describe(
      'time-budget: molecule.search.timeBudgetMs ran out; result-limit: more hits than limit.',
    ),
  searched: z.number().int().describe('Molecules in this replica’s index.'),
  elapsedMs: z.number(),
};

export const similarityResultSchema = z.object({
  query: z.object({ canonicalSmiles: z.string(), threshold: z.number() }),
  hits: z.array(z.object({ similarity: z.number(), molecule: moleculeSummarySchema })),
  totalHits: z.number().int().describe('Molecules at or above the threshold (before the limit).'),
  ...searchMetaSchema,
});

export const substructureResultSchema = z.object({
  query: z.object({ smarts: z.string().optional(), smiles: z.string().optional() }),
  hits: z.array(z.object({ molecule: moleculeSummarySchema })),
  ...searchMetaSchema,
});

export type SimilarityResultView = z.infer<typeof similarityResultSchema>;
export type SubstructureResultView = z.infer<typeof substructureResultSchema>;

export class SimilarityResultDto extends zodDto('SimilaritySearchResult', similarityResultSchema) {}
export class SubstructureResultDto extends zodDto(
  'SubstructureSearchResult',
  substructureResultSchema,
) {}
