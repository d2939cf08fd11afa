import { weightedCryoprotectionScore } from './weighted-score';

// (1 M × 80 + 1 M × 40) / 2 M = 60; (3 M × 80 + 1 M × 40) / 4 M = 70.
describe('molar-concentration-weighted score', () => {
  it('should be 60 when two components at 1 M score 80 and 40', () => {
    expect(
      weightedCryoprotectionScore([
        { moles: 1, score: 80 },
        { moles: 1, score: 40 },
      ]).value,
    ).toBe(60);
  });

  it('should be 70 when the 80-point component is three times as concentrated', () => {
    expect(
      weightedCryoprotectionScore([
        { moles: 3, score: 80 },
        { moles: 1, score: 40 },
      ]).value,
    ).toBe(70);
  });
});
