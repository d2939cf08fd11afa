import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/access.decorators';
import type { AuthUser } from '../auth/auth-user';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { IdParamsDto } from './mixture.dto';
import { AccuracyQueryDto, CreatePredictionDto, ListPredictionsQueryDto } from './prediction.dto';
import { PredictionService } from './prediction.service';

@ApiTags('predictions')
@Controller(`${API_PREFIX}/predictions`)
export class PredictionController {
  constructor(private readonly predictions: PredictionService) {}

  @Post()
  @CheckPolicies('create', 'Prediction')
  createPrediction(@Body() body: CreatePredictionDto, @CurrentUser() user: AuthUser) {
    return this.predictions.create(body, user);
  }

  @Get()
  @CheckPolicies('read', 'Prediction')
  listPredictions(@Query() query: ListPredictionsQueryDto) {
    return this.predictions.list(query);
  }

  @Get('accuracy')
  @CheckPolicies('read', 'Prediction')
  @ApiOkResponse({
    description: 'Count, MAE, RMSE and bias per method and property, in the canonical unit.',
  })
  getPredictionAccuracy(@Query() query: AccuracyQueryDto) {
    return this.predictions.accuracy(query);
  }

  @Get(':id')
  @CheckPolicies('read', 'Prediction')
  getPrediction(@Param() params: IdParamsDto) {
    return this.predictions.get(params.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @CheckPolicies('delete', 'Prediction')
  @ApiNoContentResponse({ description: 'Deleted.' })
  async deletePrediction(
    @Param() params: IdParamsDto,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    await this.predictions.remove(params.id, user);
  }
}
