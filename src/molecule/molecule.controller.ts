import { createHash } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser } from '../auth/access.decorators';
import type { AuthUser } from '../auth/auth-user';
import { API_PREFIX } from '../common/api';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { MoleculeExportService } from './molecule-export.service';
import { IMPORT_CONTENT_TYPES, MoleculeImportService } from './molecule-import.service';
import {
  CreateMoleculeDto,
  DepictionQueryDto,
  ExportQueryDto,
  ImportQueryDto,
  ImportReportDto,
  ListMoleculesQueryDto,
  MoleculeDto,
  MoleculeIdParamsDto,
  MoleculePageDto,
  MoleculeView,
  UpdateMoleculeDto,
} from './molecule.dto';
import { MoleculeService } from './molecule.service';

@ApiTags('molecules')
@Controller(`${API_PREFIX}/molecules`)
export class MoleculeController {
  constructor(
    private readonly molecules: MoleculeService,
    private readonly importer: MoleculeImportService,
    private readonly exporter: MoleculeExportService,
  ) {}

  @Post()
  @CheckPolicies('create', 'Molecule')
  @ApiCreatedResponse({
    type: MoleculeDto,
    description: 'Registered; scores are heuristic estimates.',
  })
  async createMolecule(
    @Body() body: CreateMoleculeDto,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MoleculeView> {
    return created(reply, await this.molecules.register(body, user));
  }

  @Get()
  @CheckPolicies('read', 'Molecule')
  @ApiOkResponse({ type: MoleculePageDto })
  listMolecules(@Query() query: ListMoleculesQueryDto) {
    return this.molecules.list(query);
  }

  @Post('import')
  @HttpCode(200)
  @CheckPolicies('create', 'Molecule')
  @ApiConsumes(...IMPORT_CONTENT_TYPES)
  @ApiOkResponse({ type: ImportReportDto })
  importMolecules(
    @Req() request: FastifyRequest,
    @Query() query: ImportQueryDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.importer.importRequest(request, query.format, user);
  }

  @Get('export')
  @CheckPolicies('read', 'Molecule')
  @ApiProduces('text/csv', 'chemical/x-mdl-sdfile')
  exportMolecules(@Query() query: ExportQueryDto) {
    return this.exporter.export(query.format);
  }

  @Get(':id')
  @CheckPolicies('read', 'Molecule')
  @ApiOkResponse({ type: MoleculeDto })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched the current ETag.' })
  async getMolecule(
    @Param() params: MoleculeIdParamsDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MoleculeView | undefined> {
    return withEtag(request, reply, await this.molecules.get(params.id));
  }

  @Patch(':id')
  @CheckPolicies('update', 'Molecule')
  @ApiOkResponse({ type: MoleculeDto })
  updateMolecule(
    @Param() params: MoleculeIdParamsDto,
    @Body() body: UpdateMoleculeDto,
    @CurrentUser() user: AuthUser,
  ) {
    return this.molecules.update(params.id, body, user);
  }

  @Delete(':id')
  @HttpCode(204)
  @CheckPolicies('delete', 'Molecule')
  @ApiNoContentResponse({ description: 'Deleted.' })
  async deleteMolecule(
    @Param() params: MoleculeIdParamsDto,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    await this.molecules.remove(params.id, user);
  }

  @Get(':id/depiction')
  @CheckPolicies('read', 'Molecule')
  @Header('content-type', 'image/svg+xml')
  @ApiProduces('image/svg+xml')
  getMoleculeDepiction(@Param() params: MoleculeIdParamsDto, @Query() query: DepictionQueryDto) {
    return this.molecules.depict(params.id, query);
  }
}

function created(reply: FastifyReply, molecule: MoleculeView): MoleculeView {
  void reply.header('location', `/${API_PREFIX}/molecules/${molecule.id}`);
  return molecule;
}

/** Strong ETag of the representation; a matching If-None-Match answers 304 with no body. */
function withEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  molecule: MoleculeView,
): MoleculeView | undefined {
  const etag = `"${createHash('sha256').update(JSON.stringify(molecule)).digest('base64url').slice(0, 27)}"`;
  void reply.header('etag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  const candidates = (ifNoneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (candidates.includes(etag) || candidates.includes('*')) {
    void reply.status(304);
    return undefined;
  }
  return molecule;
}
