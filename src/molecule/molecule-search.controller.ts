import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import {
  SimilarityResultDto,
  SimilarityResultView,
  SimilaritySearchDto,
  SubstructureResultDto,
  SubstructureResultView,
  SubstructureSearchDto,
} from './search.dto';
import { MoleculeSearchService } from './search/molecule-search.service';

@ApiTags('molecules')
@Controller(`${API_PREFIX}/molecules/search`)
export class MoleculeSearchController {
  constructor(private readonly search: MoleculeSearchService) {}

  @Post('similarity')
  @HttpCode(200)
  @CheckPolicies('read', 'Molecule')
  @ApiOkResponse({
    type: SimilarityResultDto,
    description: 'Tanimoto on Morgan r2/2048 fingerprints, best first.',
  })
  searchSimilarMolecules(@Body() body: SimilaritySearchDto): Promise<SimilarityResultView> {
    return this.search.similarity(body);
  }

  @Post('substructure')
  @HttpCode(200)
  @CheckPolicies('read', 'Molecule')
  @ApiOkResponse({ type: SubstructureResultDto, description: 'Molecules containing the query.' })
  searchSubstructure(@Body() body: SubstructureSearchDto): Promise<SubstructureResultView> {
    return this.search.substructure(body);
  }
}
