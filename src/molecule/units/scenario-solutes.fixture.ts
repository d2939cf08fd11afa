import { Solute } from './concentration';

/** Literature values: molecular weights from the formula; densities at 20–25 °C (CRC Handbook). */
export const DMSO: Solute = { name: 'DMSO', molecularWeight: 78.13, densityGPerMl: 1.1 };
export const GLYCEROL: Solute = { name: 'glycerol', molecularWeight: 92.094, densityGPerMl: 1.261 };
export const SUCROSE_WITHOUT_DENSITY: Solute = {
  name: 'sucrose',
  molecularWeight: 342.3,
  densityGPerMl: null,
};
