import { TestApp } from './test-app';

/** Literature values: MW from the formula; density at 20 °C (CRC Handbook); Tg of pure glycerol −93 °C. */
export const GLYCEROL = {
  smiles: 'OCC(O)CO',
  name: 'Glycerol',
  densityGPerMl: 1.261,
  tgCelsius: -93,
  tgSource: 'Angell, glycerol Tg ≈ 180 K (DSC)',
};
export const DMSO = { smiles: 'CS(C)=O', name: 'DMSO', densityGPerMl: 1.1 };
/** Sucrose without a density, for conversions that must be refused. */
export const SUCROSE = {
  smiles: 'OC[C@H]1O[C@@](CO)(O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@@H](O)[C@@H]1O',
  name: 'Sucrose',
};

export interface Problem {
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  missing?: string;
}

export interface Normalised {
  molarity: { value: number; unit: 'M' } | null;
  massFraction: number | null;
  missing: string[];
}

export interface Estimate {
  method: string;
  estimate: true;
  value: number | null;
  unit: string;
  missing: string[];
  assumptions: string[];
}

export interface MixtureBody {
  id: string;
  name: string;
  createdBy: string;
  solutionDensityGPerMl: number | null;
  components: {
    moleculeId: string;
    moleculeName: string;
    given: { value: number; unit: string };
    normalised: Normalised;
  }[];
  totals: {
    soluteMolarity: { value: number } | null;
    soluteMassFraction: number | null;
    missing: string[];
  };
  estimates: { cryoprotectionScore: Estimate; glassTransition: Estimate };
}

/** Registers (or finds, when already registered in this app) a molecule through the real API. */
export async function moleculeId(
  app: TestApp,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<string> {
  const response = await app.request('/api/v1/molecules', { method: 'POST', headers, json: body });
  const parsed = (await response.json()) as { id?: string; existingId?: string };
  if (response.status === 201) return parsed.id!;
  if (response.status === 409) return parsed.existingId!;
  throw new Error(`register failed: ${response.status} ${JSON.stringify(parsed)}`);
}

/** The walkthrough mixture: 10 % v/v DMSO + 5 % w/v glycerol in water. */
export function walkthroughMixture(
  dmsoId: string,
  glycerolId: string,
  extra: Record<string, unknown> = {},
) {
  return {
    name: 'DMSO 10 % v/v + glycerol 5 % w/v',
    carrier: 'water',
    components: [
      { moleculeId: dmsoId, concentration: { value: 10, unit: '% v/v' }, role: 'penetrating CPA' },
      {
        moleculeId: glycerolId,
        concentration: { value: 5, unit: '% w/v' },
        role: 'penetrating CPA',
      },
    ],
    ...extra,
  };
}

export async function createMixture(
  app: TestApp,
  headers: Record<string, string>,
  body: unknown,
): Promise<MixtureBody> {
  const response = await app.request('/api/v1/mixtures', { method: 'POST', headers, json: body });
  if (response.status !== 201)
    throw new Error(`create mixture failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as MixtureBody;
}

/** Row counts straight from the database, to prove a failed write left nothing behind. */
export async function countRows(app: TestApp, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await app.database.session(async (session) => {
    for (const table of tables) {
      const [row] = await session.query<{ count: number }>(
        `SELECT count(*)::integer AS count FROM ${table}`,
      );
      out[table] = Number(row.count);
    }
  });
  return out;
}

export function experimentBody(
  mixtureId: string,
  results: unknown[],
  extra: Record<string, unknown> = {},
) {
  return {
    mixtureId,
    title: 'HeLa slow freeze',
    sampleType: 'cell_line',
    protocol: {
      coolingRate: { value: 1, unit: '°C/min' },
      warmingRate: { value: 100, unit: '°C/min' },
      storageTemperature: { value: -196, unit: '°C' },
      loadingSteps: [
        { concentrationFraction: 0.5, holdMinutes: 10 },
        { concentrationFraction: 1, holdMinutes: 10 },
      ],
    },
    performedAt: '2026-03-01T10:00:00Z',
    results,
    ...extra,
  };
}
