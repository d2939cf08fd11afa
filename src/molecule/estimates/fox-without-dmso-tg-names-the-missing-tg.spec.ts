import { foxGlassTransition } from './fox-equation';

describe('Fox Tg with a component lacking a literature Tg', () => {
  it('should give no value and list "Tg of DMSO" and "mass fraction of glycerol" when both are missing', () => {
    const sut = foxGlassTransition([
      { name: 'DMSO', massFraction: 0.1, tgCelsius: null },
      { name: 'glycerol', massFraction: null, tgCelsius: -93 },
    ]);
    expect(sut.value).toBeNull();
    expect(sut.missing).toEqual(['Tg of DMSO', 'mass fraction of glycerol']);
  });
});
