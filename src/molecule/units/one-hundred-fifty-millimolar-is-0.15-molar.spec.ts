import { convertConcentration } from './concentration';
import { DMSO } from './scenario-solutes.fixture';

// 150 mmol/L ÷ 1000 = 0.15 mol/L; 1 M DMSO: 1 mol/L × 78.13 g/mol = 78.13 g/L = 78.13 mg/mL.
describe('150 mM DMSO', () => {
  it('should be 0.15 M when converted', () => {
    expect(convertConcentration({ value: 150, unit: 'mM' }, 'M', DMSO)).toBeCloseTo(0.15, 12);
  });

  it('should be 78.13 mg/mL when 1 M is converted to mg/mL', () => {
    expect(convertConcentration({ value: 1, unit: 'M' }, 'mg/mL', DMSO)).toBeCloseTo(78.13, 10);
  });
});
