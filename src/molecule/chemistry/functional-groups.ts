import { FunctionalGroups } from './chemistry.port';

/**
 * SMARTS for the functional groups counted on every molecule. Counts are unique matches (an atom
 * set counted once). Checked on reference molecules in functional-groups.spec.ts.
 */
export const FUNCTIONAL_GROUP_SMARTS: Readonly<Record<keyof FunctionalGroups, string>> = {
  // O–H on a carbon that is not a carbonyl carbon: alcohols and phenols, not carboxylic acids.
  hydroxyl: '[OX2H][#6;!$([#6]=[O,S,N])]',
  // Divalent O between two carbons, neither of them a carbonyl-like carbon (so esters are not ethers).
  ether: '[OD2;!$(O[#6]=[#7,#8,#16])]([#6])[#6]',
  // N–C(=O): amides, including formamide, ureas (one per N) and lactams.
  amide: '[NX3][CX3]=[OX1]',
  // Neutral trivalent N that is not amide/sulfonamide/imine/nitrile-like, nitro, or bonded to N/O.
  amine: '[NX3;+0;!$(N=*);!$(N#*);!$(N[#6,#15,#16]=[#7,#8,#16]);!$(N-[#7,#8])]',
  // Carboxylic acids and carboxylates.
  carboxylicAcid: '[CX3](=[OX1])[OX2H1,OX1-]',
  // S(=O) with two carbons, either written S=O or S+–O−; sulfones (four-connected S) excluded.
  sulfoxide: '[$([#16X3](=[OX1])([#6])[#6]),$([#16X3+]([OX1-])([#6])[#6])]',
  // C(=O)–O–C: carboxylic esters (formates included), lactones, carbonates.
  ester: '[CX3](=[OX1])[OX2H0][#6]',
  // Every fluorine, chlorine, bromine and iodine atom.
  halide: '[F,Cl,Br,I]',
  // Nitro groups in either charge-separated or pentavalent form, counted once per N.
  nitro: '[$([NX3](=O)=O),$([NX3+](=O)[O-])]',
};
