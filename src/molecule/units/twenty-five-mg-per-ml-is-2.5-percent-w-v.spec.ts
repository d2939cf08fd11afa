import { convertConcentration } from './concentration';
import { GLYCEROL } from './scenario-solutes.fixture';

// 25 mg/mL = 25 g/L = 2.5 g per 100 mL; no molecular data is needed in either direction.
describe('25 mg/mL', () => {
  it('should be 2.5 % w/v when converted', () => {
    expect(convertConcentration({ value: 25, unit: 'mg/mL' }, '% w/v', GLYCEROL)).toBeCloseTo(
      2.5,
      12,
    );
  });

  it('should be 25 mg/mL when 2.5 % w/v is converted back', () => {
    expect(convertConcentration({ value: 2.5, unit: '% w/v' }, 'mg/mL', GLYCEROL)).toBeCloseTo(
      25,
      12,
    );
  });
});
