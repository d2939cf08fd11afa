import { band, clamp01 } from './score';

describe('band', () => {
  it('should be 0 outside, 1 on the plateau and linear on the slopes when evaluated', () => {
    expect(band(-1, 0, 2, 12, 24)).toBe(0);
    expect(band(1, 0, 2, 12, 24)).toBe(0.5);
    expect(band(7, 0, 2, 12, 24)).toBe(1);
    expect(band(18, 0, 2, 12, 24)).toBe(0.5);
    expect(band(30, 0, 2, 12, 24)).toBe(0);
  });

  it('should clamp to 0–1 when given values outside the range', () => {
    expect(clamp01(-3)).toBe(0);
    expect(clamp01(0.25)).toBe(0.25);
    expect(clamp01(7)).toBe(1);
  });
});
