import { randomUUID } from 'node:crypto';
import { DeclaredRoute, RouteAccessCheck } from '../src/auth/route-access.check';
import { expectProblem } from './auth.support';
import { describeEachDatabase, TestApp } from './support/test-app';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** Routes Fastify serves that are not Nest controller routes: the Swagger UI and its documents (public by design). */
const outsideNest = (path: string) => path === '/docs' || path.startsWith('/docs/') || path === '*';

/** Every route in Fastify's routing table, parsed from printRoutes (the only public listing it offers). */
function fastifyRoutes(app: TestApp): { method: string; path: string }[] {
  const printed = app.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: { method: string; path: string }[] = [];
  for (const line of printed.split('\n').filter((text) => text.trim().length > 0)) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) throw new Error(`cannot parse Fastify route line: ${line}`);
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) out.push({ method, path: stack.join('') });
  }
  return out;
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const withRandomIds = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());

describeEachDatabase('every route declares its access', (ctx) => {
  let routes: DeclaredRoute[];
  let document: OpenApiDocument;

  beforeAll(async () => {
    routes = ctx().app.get(RouteAccessCheck).routes();
    document = (await (await ctx().request('/docs/openapi.json')).json()) as OpenApiDocument;
  });

  it('should find the routes of every module, including ones added later', () => {
    expect(routes.length).toBeGreaterThan(10);
    const names = routes.map((route) => `${route.method} ${route.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'GET /api/v1/audit',
        'DELETE /api/v1/api-keys/:id',
      ]),
    );
    expect(routes.filter((route) => route.access === undefined)).toEqual([]);
  });

  it("should know every route in Fastify's table (nothing served that the check did not see)", () => {
    const declared = new Set(routes.map((route) => `${route.method} ${route.path}`));
    const served = fastifyRoutes(ctx());
    expect(served).toEqual(
      expect.arrayContaining([{ method: 'POST', path: '/api/v1/auth/login' }]),
    );
    const unknown = served
      .filter(
        (route) =>
          route.method !== 'HEAD' && route.method !== 'OPTIONS' && !outsideNest(route.path),
      )
      .map((route) => `${route.method} ${route.path}`)
      .filter((name) => !declared.has(name));
    expect(unknown).toEqual([]);
  });

  it('should answer 401 problem+json without credentials on every non-public route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((candidate) => candidate.access !== 'public')) {
      const response = await ctx().request(withRandomIds(route.path), {
        method: route.method,
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { json: {} } : {}),
      });
      const type = response.headers.get('content-type') ?? '';
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      if (
        response.status !== 401 ||
        !type.startsWith('application/problem+json') ||
        body.code !== 'AUTH_REQUIRED'
      ) {
        failures.push(`${route.method} ${route.path}: ${response.status} ${body.code ?? type}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('should answer 401 with a garbage token or key on every non-public route', async () => {
    const route = routes.find(
      (candidate) => candidate.access !== 'public' && candidate.method === 'GET',
    );
    if (!route) throw new Error('no non-public GET route');
    await expectProblem(
      await ctx().request(withRandomIds(route.path), {
        headers: { authorization: 'Bearer x.y.z' },
      }),
      401,
    );
    await expectProblem(
      await ctx().request(withRandomIds(route.path), { headers: { 'x-api-key': 'cpk_x' } }),
      401,
    );
  });

  it('should show in OpenAPI the security of every documented operation: bearer and apiKey unless public', () => {
    const problems: string[] = [];
    for (const route of routes) {
      const operation = document.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
      if (!operation) {
        // Public routes may be left out of the API document on purpose (e.g. /metrics); protected ones may not.
        if (route.access !== 'public')
          problems.push(`${route.method} ${route.path}: not in the OpenAPI document`);
        continue;
      }
      const schemes = (operation.security ?? [])
        .flatMap((requirement) => Object.keys(requirement))
        .sort();
      const expected = route.access === 'public' ? [] : ['apiKey', 'bearer'];
      if (JSON.stringify(schemes) !== JSON.stringify(expected)) {
        problems.push(
          `${route.method} ${route.path} (${route.access}): security ${JSON.stringify(schemes)}`,
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it('should list in OpenAPI only routes the app serves', () => {
    const declared = new Set(routes.map((route) => `${route.method} ${toOpenApiPath(route.path)}`));
    const extra = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`)
        .filter((name) => !declared.has(name)),
    );
    expect(extra).toEqual([]);
  });
});
