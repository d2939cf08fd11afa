import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/access.decorators';
import type { AuthUser } from '../auth/auth-user';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import {
  ComparisonQueryDto,
  CreateMixtureDto,
  IdParamsDto,
  ListMixturesQueryDto,
  UpdateMixtureDto,
} from './mixture.dto';
import { MixtureService } from './mixture.service';
import { PredictionService } from './prediction.service';

@ApiTags('mixtures')
@Controller(`${API_PREFIX}/mixtures`)
export class MixtureController {
  constructor(
    private readonly mixtures: MixtureService,
    private readonly predictions: PredictionService,
  ) {}

  @Post()
  @CheckPolicies('create', 'Mixture')
  @ApiCreatedResponse({
    description: 'Created; the read model shows each component normalised and labelled estimates.',
  })
  createMixture(@Body() body: CreateMixtureDto, @CurrentUser() user: AuthUser) {
    return this.mixtures.create(body, user);
  }

  @Get()
  @CheckPolicies('read', 'Mixture')
  @ApiOkResponse({ description: 'A page of mixtures with their components.' })
  listMixtures(@Query() query: ListMixturesQueryDto) {
    return this.mixtures.list(query);
  }

  @Get(':id')
  @CheckPolicies('read', 'Mixture')
  getMixture(@Param() params: IdParamsDto) {
    return this.mixtures.get(params.id);
  }

  @Patch(':id')
  @CheckPolicies('update', 'Mixture')
  updateMixture(
    @Param() params: IdParamsDto,
    @Body() body: UpdateMixtureDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.mixtures.update(params.id, body, user);
  }

  @Delete(':id')
  @HttpCode(204)
  @CheckPolicies('delete', 'Mixture')
  @ApiNoContentResponse({
    description: 'Deleted (409 MIXTURE_IN_USE while experiments reference it).',
  })
  async deleteMixture(@Param() params: IdParamsDto, @CurrentUser() user: AuthUser): Promise<void> {
    await this.mixtures.remove(params.id, user);
  }

  @Get(':id/comparison')
  @CheckPolicies('read', 'Prediction')
  @ApiOkResponse({
    description: 'Each prediction of the property paired with every measurement of it.',
  })
  compareMixturePredictions(@Param() params: IdParamsDto, @Query() query: ComparisonQueryDto) {
    return this.predictions.compare(params.id, query.property);
  }

  @Post(':id/predictions/estimates')
  @CheckPolicies('create', 'Prediction')
  @ApiCreatedResponse({
    description: "Records the service's derivable estimates as predictions of their methods.",
  })
  recordMixtureEstimates(@Param() params: IdParamsDto, @CurrentUser() user: AuthUser) {
    return this.predictions.recordEstimates(params.id, user);
  }
}
