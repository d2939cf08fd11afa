import { Provider } from '@nestjs/common';
import { ChemistryPort } from './chemistry.port';
import { RdkitAdapter } from './rdkit.adapter';

/** Loads the RDKit WASM module once, at startup, behind the ChemistryPort token. */
export const chemistryProvider: Provider = {
  provide: ChemistryPort,
  useFactory: (): Promise<ChemistryPort> => RdkitAdapter.load(),
};
