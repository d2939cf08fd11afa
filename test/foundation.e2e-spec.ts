import { createTestApp, describeEachDatabase, TestApp } from './support/test-app';

describeEachDatabase('foundation HTTP behaviour', (ctx) => {
  it('should answer readiness with every critical check up', async () => {
    const response = await ctx().request('/health/ready');
    const body = (await response.json()) as {
      status: string;
      details: Record<string, { status: string }>;
    };
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    expect(body.details.disk.status).toBe('up');
    expect(body.details.cache.status).toBe('up');
  });

  it('should answer liveness and startup', async () => {
    expect((await ctx().request('/health/live')).status).toBe(200);
    expect((await ctx().request('/health/startup')).status).toBe(200);
  });

  it('should answer an unknown route with a 404 problem carrying the given request id', async () => {
    const response = await ctx().request('/api/v1/nope', {
      headers: { 'x-request-id': 'req-test-42' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('req-test-42');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', requestId: 'req-test-42' });
    expect(typeof body.type).toBe('string');
    expect(typeof body.title).toBe('string');
  });

  it('should generate a request id when none or an unsafe one is sent', async () => {
    const plain = await ctx().request('/health/live');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await ctx().request('/health/live', {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should list every invalid and unknown field in a validation problem', async () => {
    const response = await ctx().request('/api/v1/auth/login', {
      method: 'POST',
      json: { email: 'not-an-email', password: 'x', role: 'admin' },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; errors: { field: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((error) => error.field).sort()).toEqual(['email', 'role']);
  });

  it('should answer malformed JSON with a 400 problem', async () => {
    const response = await ctx().request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('REQUEST_MALFORMED');
  });

  it('should refuse a body over the configured limit with 413', async () => {
    const big = 'x'.repeat(ctx().config.server.bodyLimitBytes + 10);
    const response = await ctx().request('/api/v1/auth/login', {
      method: 'POST',
      json: { email: 'a@example.org', password: big },
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('REQUEST_BODY_TOO_LARGE');
  });

  it('should send security headers on answers, errors and the docs page', async () => {
    for (const path of ['/health/live', '/api/v1/nope', '/docs']) {
      const response = await ctx().request(path);
      expect({ path, nosniff: response.headers.get('x-content-type-options') }).toEqual({
        path,
        nosniff: 'nosniff',
      });
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain(
        "script-src 'self' 'unsafe-inline'",
      );
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });

  it('should not allow cross-origin requests by default', async () => {
    const response = await ctx().request('/health/live', {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should serve a valid OpenAPI 3.1 document with problem responses and API routes under /api/v1', async () => {
    const response = await ctx().request('/docs/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, unknown> }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/api/v1/auth/login'].post.operationId).toBe('login');
    expect(document.paths['/api/v1/auth/login'].post.responses['4XX']).toBeDefined();
    expect(document.components.schemas.Login).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
    });
    const apiPaths = Object.keys(document.paths).filter(
      (path) => !/^\/(health|docs|metrics)/.test(path),
    );
    for (const path of apiPaths) expect(path.startsWith('/api/v1/')).toBe(true);
  });

  it('should serve the Swagger UI page', async () => {
    const response = await ctx().request('/docs');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });
});

describe('foundation rate limit', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp('pglite', {
      overrides: { server: { rateLimit: { limit: 3, windowSeconds: 60 } } },
    });
  });
  afterAll(() => testApp.close());

  it('should answer 429 problem+json past the configured limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await testApp.request('/api/v1/auth/me')).status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[4]).toBe(429);
    const response = await testApp.request('/api/v1/auth/me');
    expect(((await response.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('should never rate-limit health probes', async () => {
    for (let i = 0; i < 6; i++) expect((await testApp.request('/health/live')).status).toBe(200);
  });
});

describe('foundation CORS', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp('pglite', {
      overrides: { server: { corsOrigins: ['https://lab.example'] } },
    });
  });
  afterAll(() => testApp.close());

  it('should allow a configured origin and expose the request id', async () => {
    const response = await testApp.request('/health/live', {
      headers: { origin: 'https://lab.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://lab.example');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});
