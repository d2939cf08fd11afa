import { foxGlassTransition } from './fox-equation';

// Glycerol Tg −93 °C = 180.15 K, water 136 K. 1/Tg = 0.5/180.15 + 0.5/136 = 0.0064519 K⁻¹
// → Tg = 154.99 K = −118.16 °C.
describe('Fox Tg of 50 % w/w glycerol in water', () => {
  it('should be −118.16 °C when glycerol Tg is −93 °C and water Tg is 136 K', () => {
    const sut = foxGlassTransition([
      { name: 'glycerol', massFraction: 0.5, tgCelsius: -93 },
      { name: 'water', massFraction: 0.5, tgCelsius: 136 - 273.15 },
    ]);
    expect(sut.value).toBeCloseTo(-118.158, 3);
    expect(sut).toMatchObject({ method: 'Fox equation', estimate: true, missing: [] });
  });
});
