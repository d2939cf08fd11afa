import { scoreMolecule } from './molecule-scores';
import { REFERENCE } from './reference-molecules.fixture';

describe(scoreMolecule.name, () => {
  it('should return every score labelled as a heuristic estimate with its model version when scored', () => {
    const sut = scoreMolecule(REFERENCE.glycerol);

    expect(Object.keys(sut)).toEqual([
      'composite',
      'vitrification',
      'permeability',
      'toxicityRisk',
      'glassTransition',
    ]);
    for (const score of Object.values(sut)) {
      expect(score.label).toBe('heuristic estimate');
      expect(score.model.version).toBe('1.0.0');
    }
  });
});
