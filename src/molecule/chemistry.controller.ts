import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { PropertiesDto, PropertiesView, StructureInputDto } from './chemistry.dto';
import { ChemistryService } from './chemistry/chemistry.service';

@ApiTags('chemistry')
@Controller(`${API_PREFIX}/chemistry`)
export class ChemistryController {
  constructor(private readonly chemistry: ChemistryService) {}

  @Post('properties')
  @HttpCode(200)
  @CheckPolicies('read', 'Molecule')
  @ApiOkResponse({
    type: PropertiesDto,
    description: 'Computed, not stored; scores are heuristic estimates.',
  })
  computeProperties(@Body() body: StructureInputDto): PropertiesView {
    return this.chemistry.properties(body);
  }
}
