import { ChemistryResult } from '../chemistry/chemistry.port';

/** What every score reads: the 2D descriptors and functional-group counts of one molecule. */
export type ScoreInput = Pick<ChemistryResult, 'descriptors' | 'functionalGroups'>;
