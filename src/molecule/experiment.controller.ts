import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/access.decorators';
import type { AuthUser } from '../auth/auth-user';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import {
  CreateExperimentDto,
  ListExperimentsQueryDto,
  UpdateExperimentDto,
} from './experiment.dto';
import { ExperimentService } from './experiment.service';
import { IdParamsDto } from './mixture.dto';

@ApiTags('experiments')
@Controller(`${API_PREFIX}/experiments`)
export class ExperimentController {
  constructor(private readonly experiments: ExperimentService) {}

  @Post()
  @CheckPolicies('create', 'Experiment')
  createExperiment(@Body() body: CreateExperimentDto, @CurrentUser() user: AuthUser) {
    return this.experiments.create(body, user);
  }

  @Get()
  @CheckPolicies('read', 'Experiment')
  listExperiments(@Query() query: ListExperimentsQueryDto) {
    return this.experiments.list(query);
  }

  @Get(':id')
  @CheckPolicies('read', 'Experiment')
  getExperiment(@Param() params: IdParamsDto) {
    return this.experiments.get(params.id);
  }

  @Patch(':id')
  @CheckPolicies('update', 'Experiment')
  updateExperiment(
    @Param() params: IdParamsDto,
    @Body() body: UpdateExperimentDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.experiments.update(params.id, body, user);
  }

  @Delete(':id')
  @HttpCode(204)
  @CheckPolicies('delete', 'Experiment')
  @ApiNoContentResponse({ description: 'Deleted with its results.' })
  async deleteExperiment(
    @Param() params: IdParamsDto,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    await this.experiments.remove(params.id, user);
  }
}
