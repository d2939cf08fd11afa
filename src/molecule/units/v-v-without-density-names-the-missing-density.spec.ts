import { convertConcentration } from './concentration';
import { SUCROSE_WITHOUT_DENSITY } from './scenario-solutes.fixture';

describe('% v/v of a solute without a known density', () => {
  it('should throw naming "density of sucrose" when converting 10 % v/v to M', () => {
    expect(() =>
      convertConcentration({ value: 10, unit: '% v/v' }, 'M', SUCROSE_WITHOUT_DENSITY),
    ).toThrow('density of sucrose is unknown');
  });
});
