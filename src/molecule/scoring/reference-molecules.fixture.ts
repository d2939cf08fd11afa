import { FunctionalGroups } from '../chemistry/chemistry.port';
import { ScoreInput } from './score-input';

const none: FunctionalGroups = {
  hydroxyl: 0,
  ether: 0,
  amide: 0,
  amine: 0,
  carboxylicAcid: 0,
  sulfoxide: 0,
  ester: 0,
  halide: 0,
  nitro: 0,
};

function molecule(
  molecularWeight: number,
  logP: number,
  tpsa: number,
  hbd: number,
  hba: number,
  heavyAtoms: number,
  groups: Partial<FunctionalGroups>,
): ScoreInput {
  return {
    descriptors: {
      molecularWeight,
      exactMass: 0,
      logP,
      tpsa,
      hbd,
      hba,
      rotatableBonds: 0,
      rings: 0,
      aromaticRings: 0,
      heavyAtoms,
      fractionCsp3: 0,
    },
    functionalGroups: { ...none, ...groups },
  };
}

/**
 * Descriptors of reference compounds as the RDKit adapter returns them (RDKit 2026.09.1, rounded:
 * MW 3 dp, logP 3 dp, TPSA 2 dp). The scores only read the fields filled in here.
 */
export const REFERENCE = {
  glycerol: molecule(92.094, -1.668, 60.69, 3, 3, 6, { hydroxyl: 3 }),
  dmso: molecule(78.136, -0.005, 17.07, 0, 1, 4, { sulfoxide: 1 }),
  ethyleneGlycol: molecule(62.068, -1.029, 40.46, 2, 2, 4, { hydroxyl: 2 }),
  propyleneGlycol: molecule(76.095, -0.641, 40.46, 2, 2, 5, { hydroxyl: 2 }),
  trehalose: molecule(342.297, -5.397, 189.53, 8, 11, 23, { hydroxyl: 8, ether: 3 }),
  sucrose: molecule(342.297, -5.396, 189.53, 8, 11, 23, { hydroxyl: 8, ether: 3 }),
  methanol: molecule(32.042, -0.391, 20.23, 1, 1, 2, { hydroxyl: 1 }),
  formamide: molecule(45.041, -0.899, 43.09, 1, 1, 3, { amide: 1 }),
  acetamide: molecule(59.068, -0.508, 43.09, 1, 1, 4, { amide: 1 }),
  chloroform: molecule(119.378, 1.986, 0, 0, 0, 4, { halide: 3 }),
  nitrobenzene: molecule(123.111, 1.595, 43.14, 0, 2, 9, { nitro: 1 }),
} as const;
