import { convertPropertyValue } from './property-units';

// K = °C + 273.15; 85 % = 0.85; 300 mOsm/kg = 0.3 Osm/kg; 2.5 mM = 2500 µM.
describe('property unit conversions', () => {
  it('should give 310.15 K when converting 37 °C', () => {
    expect(convertPropertyValue(37, '°C', 'K')).toBeCloseTo(310.15, 10);
  });

  it('should give 85 % when converting a fraction of 0.85', () => {
    expect(convertPropertyValue(0.85, 'fraction', '%')).toBeCloseTo(85, 10);
  });

  it('should give 300 mOsm/kg when converting 0.3 Osm/kg', () => {
    expect(convertPropertyValue(0.3, 'Osm/kg', 'mOsm/kg')).toBeCloseTo(300, 10);
  });

  it('should give 2500 µM when converting 2.5 mM', () => {
    expect(convertPropertyValue(2.5, 'mM', 'µM')).toBeCloseTo(2500, 8);
  });
});
