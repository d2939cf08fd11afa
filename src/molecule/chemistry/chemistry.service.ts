import { Injectable } from '@nestjs/common';
import { PropertiesView } from '../chemistry.dto';
import { scoreMolecule } from '../scoring/molecule-scores';
import { ChemistryPort, StructureInput } from './chemistry.port';

/** Chemistry on demand: everything the registry would compute for a structure, nothing stored. */
@Injectable()
export class ChemistryService {
  constructor(private readonly chemistry: ChemistryPort) {}

  properties(input: StructureInput): PropertiesView {
    const { fingerprint, ...result } = this.chemistry.analyse(input);
    return {
      ...result,
      fingerprint: {
        type: 'morgan',
        radius: 2,
        bits: 2048,
        base64: Buffer.from(fingerprint).toString('base64'),
      },
      scores: scoreMolecule(result),
      toolkit: this.chemistry.version(),
    };
  }
}
