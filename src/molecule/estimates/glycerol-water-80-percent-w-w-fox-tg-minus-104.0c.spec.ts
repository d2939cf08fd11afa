import { foxGlassTransition } from './fox-equation';

// 1/Tg = 0.8/180.15 + 0.2/136 = 0.0044407 + 0.0014706 = 0.0059113 K⁻¹ → Tg = 169.17 K = −103.98 °C.
describe('Fox Tg of 80 % w/w glycerol in water', () => {
  it('should be −103.98 °C when glycerol Tg is −93 °C and water Tg is 136 K', () => {
    const sut = foxGlassTransition([
      { name: 'glycerol', massFraction: 0.8, tgCelsius: -93 },
      { name: 'water', massFraction: 0.2, tgCelsius: 136 - 273.15 },
    ]);
    expect(sut.value).toBeCloseTo(-103.983, 3);
  });
});
