import { convertConcentration } from './concentration';
import { DMSO } from './scenario-solutes.fixture';

// 10 mL DMSO × 1.100 g/mL = 11.0 g in 100 mL; 11.0 g / 78.13 g/mol = 0.1408 mol per 100 mL → 1.408 M.
describe('10 % v/v DMSO', () => {
  it('should be 1.408 M when DMSO has density 1.100 g/mL and MW 78.13', () => {
    const sut = convertConcentration({ value: 10, unit: '% v/v' }, 'M', DMSO);
    expect(sut).toBeCloseTo(1.4079, 4);
  });

  it('should be 11.0 % w/v when converted through the density', () => {
    expect(convertConcentration({ value: 10, unit: '% v/v' }, '% w/v', DMSO)).toBeCloseTo(11.0, 10);
  });
});
