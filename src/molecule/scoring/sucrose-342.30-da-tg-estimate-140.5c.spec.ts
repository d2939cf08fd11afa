import { cryoprotectionScore } from './cryoprotection.score';
import { glassTransitionEstimate } from './glass-transition.estimate';
import { REFERENCE } from './reference-molecules.fixture';

// Sucrose, 342.297 Da, 8 hydroxyls (same descriptors as trehalose except logP −5.396):
//   Tg = 70 + 0.7 × 342.297 + 13 × 8 = 70 + 239.6079 + 104 = 413.6079 K → 140.4579 °C → 140.5 °C
//   (literature ≈ 62 °C: the heuristic has no ring-rigidity term and overestimates disaccharides)
//   composite = 10.416667 + 3.46218 + 15 = 28.88 as for trehalose
describe('glassTransitionEstimate', () => {
  it('should estimate sucrose Tg at 140.5 °C (413.6 K) when scored', () => {
    const sut = glassTransitionEstimate(REFERENCE.sucrose);

    expect(sut.value).toBe(140.5);
    expect(sut.unit).toBe('°C');
    expect(sut.parts).toEqual({ molecularWeightTerm: 239.61, hydroxylTerm: 104, tgKelvin: 413.6 });
    expect(cryoprotectionScore(REFERENCE.sucrose).value).toBe(28.88);
  });
});
