import { TestApp } from './test-app';

/** Ethanol as a hand-written V2000 molfile (title line = name). */
export const ETHANOL_MOLFILE = [
  'Ethanol',
  '  handwritten',
  '',
  '  3  2  0  0  0  0  0  0  0  0999 V2000',
  '    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0',
  '    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0',
  '    2.5981   -0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0',
  '  1  2  1  0',
  '  2  3  1  0',
  'M  END',
  '',
].join('\n');

/** Methanol as a hand-written V2000 molfile. */
export const METHANOL_MOLFILE = [
  'Methanol',
  '  handwritten',
  '',
  '  2  1  0  0  0  0  0  0  0  0999 V2000',
  '    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0',
  '    1.2990    0.7500    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0',
  '  1  2  1  0',
  'M  END',
  '',
].join('\n');

/** Formamide with a counts line claiming five atoms where three follow. */
export const WRONG_ATOM_COUNT_MOLFILE = [
  'Broken',
  '  handwritten',
  '',
  '  5  2  0  0  0  0  0  0  0  0999 V2000',
  '    0.0000    0.0000    0.0000 N   0  0  0  0  0  0  0  0  0  0  0  0',
  '    1.2990    0.7500    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0',
  '    2.5981   -0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0',
  '  1  2  1  0',
  '  2  3  2  0',
  'M  END',
  '',
].join('\n');

export interface MoleculeBody {
  id: string;
  name: string;
  canonicalSmiles: string;
  inchikey: string;
  formula: string;
  descriptors: Record<string, number>;
  functionalGroups: Record<string, number>;
  rules: Record<string, { passes: boolean; violations: string[] }>;
  score: number;
  scores: Record<
    string,
    { value: number; label: string; model: { name: string; version: string } }
  >;
  synonyms: string[];
  casNumber: string | null;
  densityGPerMl: number | null;
  tgCelsius: number | null;
  createdBy: string | null;
  createdAt: string;
}

export interface ProblemBody {
  status: number;
  code: string;
  title: string;
  existingId?: string;
  errors?: { field: string; message: string }[];
}

/** Registers a molecule and returns the parsed 201 body (fails the test otherwise). */
export async function registerMolecule(
  app: TestApp,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<MoleculeBody> {
  const response = await app.request('/api/v1/molecules', { method: 'POST', headers, json: body });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as MoleculeBody;
}

/** Reads every page of a list query and returns the items in page order. */
export async function listAllPages(
  app: TestApp,
  headers: Record<string, string>,
  query: Record<string, string>,
): Promise<{ items: MoleculeBody[]; pages: number }> {
  const items: MoleculeBody[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const response = await app.request(`/api/v1/molecules?${params.toString()}`, { headers });
    if (response.status !== 200)
      throw new Error(`list failed: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: MoleculeBody[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}
