import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { dtoJsonSchemas } from './common/zod';

const problemSchema = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable; quote `requestId` when reporting a problem.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', examples: ['VALIDATION_FAILED'] },
    requestId: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
};

/** Builds the OpenAPI 3.1 document from the routes and the zod DTO schemas. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('CryoProtect v2 API')
    .setDescription(
      'Research data for cryopreservation: cryoprotective agents, mixtures, experiments, predictions. ' +
        'Errors are application/problem+json with a stable `code`. Scores are heuristic estimates.',
    )
    .setVersion('2.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  // Operation ids are the controller method names (createMolecule, listMolecules, …).
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
  document.components ??= {};
  document.components.schemas ??= {};
  Object.assign(document.components.schemas, dtoJsonSchemas(), { Problem: problemSchema });
  const problem = {
    description: 'Problem details',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation))
        continue;
      const responses = (operation as { responses: Record<string, unknown> }).responses;
      responses['4XX'] ??= problem;
      responses['5XX'] ??= problem;
    }
  }
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'CryoProtect v2 API',
  });
}
