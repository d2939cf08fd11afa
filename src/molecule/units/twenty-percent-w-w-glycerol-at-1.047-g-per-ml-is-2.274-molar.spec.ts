import { convertConcentration, ConversionNeedsDataError } from './concentration';
import { GLYCEROL } from './scenario-solutes.fixture';

// 20 g per 100 g of solution × 1.047 g/mL (20 % w/w aqueous glycerol, CRC) = 0.2094 g/mL;
// 209.4 g/L / 92.094 g/mol = 2.274 M.
describe('20 % w/w glycerol', () => {
  it('should be 2.274 M when the solution density is 1.047 g/mL', () => {
    const sut = convertConcentration({ value: 20, unit: '% w/w' }, 'M', GLYCEROL, 1.047);
    expect(sut).toBeCloseTo(2.2738, 4);
  });

  it('should refuse naming the solution density when it is unknown', () => {
    expect(() => convertConcentration({ value: 20, unit: '% w/w' }, 'M', GLYCEROL)).toThrow(
      expect.objectContaining({ datum: 'solution density' }) as ConversionNeedsDataError,
    );
  });
});
