import { convertConcentration } from './concentration';
import { GLYCEROL } from './scenario-solutes.fixture';

// 5 g per 100 mL = 50 g/L; 50 g/L / 92.094 g/mol = 0.5429 mol/L.
describe('5 % w/v glycerol', () => {
  it('should be 0.5429 M when glycerol has MW 92.094', () => {
    const sut = convertConcentration({ value: 5, unit: '% w/v' }, 'M', GLYCEROL);
    expect(sut).toBeCloseTo(0.54292, 5);
  });

  it('should be 542.9 mM when expressed in millimolar', () => {
    expect(convertConcentration({ value: 5, unit: '% w/v' }, 'mM', GLYCEROL)).toBeCloseTo(
      542.92,
      2,
    );
  });
});
