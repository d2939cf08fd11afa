import { glassTransitionEstimate } from './glass-transition.estimate';
import { REFERENCE } from './reference-molecules.fixture';

// Glycerol: Tg = 70 + 0.7 × 92.094 + 13 × 3 = 70 + 64.4658 + 39 = 173.4658 K → −99.6842 °C → −99.7 °C
// (literature ≈ −93 °C, 180 K).
describe('glassTransitionEstimate', () => {
  it('should estimate glycerol Tg at -99.7 °C when scored', () => {
    const sut = glassTransitionEstimate(REFERENCE.glycerol);

    expect(sut.value).toBe(-99.7);
    expect(sut.parts.tgKelvin).toBe(173.5);
    expect(sut.model).toEqual({ name: 'cryoprotect-tg-estimate', version: '1.0.0' });
  });
});
