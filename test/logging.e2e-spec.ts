import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../src/app.factory';
import { UserService } from '../src/auth/user.service';
import { loadConfig } from '../src/config/config.loader';
import { Config } from '../src/config/config.schema';
import { Database } from '../src/database/database';
import { createLogger, LOG_FILE_NAME, logFilePath } from '../src/logging/logger.factory';
import { readYaml, ROOT, waitFor } from './monitoring.support';
import { PGLITE_SNAPSHOT } from './support/global-setup';
import { createTestDatabaseUrl, DatabaseKind, databaseKinds } from './support/test-app';

type LogLine = Record<string, unknown>;
type Mapping = { type?: string; properties?: Record<string, Mapping> };

const LOGGING = join(ROOT, 'logging');
const template = JSON.parse(
  readFileSync(join(LOGGING, 'elasticsearch', 'index-template.json'), 'utf8'),
) as {
  index_patterns: string[];
  template: {
    settings: Record<string, unknown>;
    mappings: { properties: Record<string, Mapping> };
  };
};

/** Dotted field path → Elasticsearch type, from the index template. */
function mappedFields(properties: Record<string, Mapping>, prefix = ''): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, mapping] of Object.entries(properties)) {
    if (mapping.properties)
      for (const [path, type] of mappedFields(mapping.properties, `${prefix}${name}.`))
        fields.set(path, type);
    else fields.set(`${prefix}${name}`, mapping.type ?? 'object');
  }
  return fields;
}

/** Leaf paths of a log line, flat dotted keys and nested objects alike (as Elasticsearch sees them). */
function leafPaths(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      leafPaths(item, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [[prefix, value]];
}

function fitsType(type: string, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.every((item) => {
    switch (type) {
      case 'long':
        return Number.isInteger(item);
      case 'date':
        return typeof item === 'string' && !Number.isNaN(Date.parse(item));
      case 'ip':
        return typeof item === 'string' && isIP(item) !== 0;
      default:
        return typeof item === 'string';
    }
  });
}

interface LoggedApp {
  app: NestFastifyApplication;
  config: Readonly<Config>;
  url: string;
  lines(): LogLine[];
  close(): Promise<void>;
}

/** The app as main.ts runs it: the ECS logger handed to Nest, file logging and request lines on. */
async function startLoggedApp(kind: DatabaseKind): Promise<LoggedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cryoprotect-logging-'));
  const pg = kind === 'postgres' ? await createTestDatabaseUrl() : undefined;
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'test',
      dataDir,
      database: pg ? { url: pg.url } : {},
      server: { port: 0, host: '127.0.0.1' },
      log: { level: 'info', requests: true, dir: 'logs' },
      auth: { jwtSecret: randomBytes(32).toString('hex') },
      molecule: { seedOnFirstStart: false },
    },
  });
  const database = await Database.connect(config, {
    pgliteDataDir: 'memory://',
    pgliteSnapshot: new Blob([readFileSync(PGLITE_SNAPSHOT)]),
  });
  const app = await createApp(config, { database, logger: createLogger(config) });
  // A probe route that logs like a service does: after awaited database I/O, and an error.
  (app.getHttpAdapter().getInstance() as FastifyInstance).get('/probe/log', async () => {
    await database.session((session) => session.query('SELECT 1'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    new Logger('Probe').log('probe after a query');
    Logger.error(new Error('probe failure'), undefined, 'Probe');
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    lines: () =>
      readFileSync(logFilePath(config)!, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
    close: async () => {
      await app.close();
      await database.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

for (const kind of databaseKinds()) {
  describe(`request and service logs [${kind}]`, () => {
    let sut: LoggedApp;
    let stdout: jest.SpyInstance;

    beforeAll(async () => {
      // The same lines also go to stdout; the file is what is checked, so stdout is kept quiet.
      stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      sut = await startLoggedApp(kind);
    });
    afterAll(async () => {
      await sut?.close();
      stdout.mockRestore();
    });

    const lineFor = (requestId: string, logger = 'http') =>
      waitFor(`the ${logger} line of ${requestId}`, async () =>
        sut
          .lines()
          .find((line) => line['http.request.id'] === requestId && line['log.logger'] === logger),
      );

    it('should log the login request with its request id and never the password or tokens when a user signs in', async () => {
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const email = `log-${randomBytes(4).toString('hex')}@example.org`;
      const user = await sut.app
        .get(UserService)
        .createUser({ email, role: 'researcher', password });
      const loginId = `login-${randomBytes(6).toString('hex')}`;
      const login = await fetch(`${sut.url}/api/v1/auth/login?password=${password}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': loginId },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('x-request-id')).toBe(loginId);
      const tokens = (await login.json()) as { accessToken: string; refreshToken?: string };
      const meId = `me-${randomBytes(6).toString('hex')}`;
      const me = await fetch(`${sut.url}/api/v1/auth/me`, {
        headers: {
          authorization: `Bearer ${tokens.accessToken}`,
          'x-request-id': meId,
          'x-api-key': 'cp_never-logged-key',
        },
      });
      expect(me.status).toBe(200);

      const loginLine = await lineFor(loginId);
      expect(loginLine).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/api/v1/auth/login',
        'http.response.status_code': 200,
        'url.path': '/api/v1/auth/login',
        'event.duration': expect.any(Number),
        'log.level': 'info',
      });
      expect(await lineFor(meId)).toMatchObject({
        'user.id': user.id,
        'http.route': '/api/v1/auth/me',
      });

      const text = readFileSync(logFilePath(sut.config)!, 'utf8');
      expect(text).toContain(loginId);
      expect(text).not.toContain(password);
      expect(text).not.toContain(tokens.accessToken);
      if (tokens.refreshToken) expect(text).not.toContain(tokens.refreshToken);
      expect(text).not.toContain('cp_never-logged-key');
    });

    it('should carry the request id into service logs and the stack into error.stack_trace when a handler logs after awaiting I/O', async () => {
      const requestId = `probe-${randomBytes(6).toString('hex')}`;
      expect(
        (await fetch(`${sut.url}/probe/log`, { headers: { 'x-request-id': requestId } })).status,
      ).toBe(200);
      await lineFor(requestId);
      const probeLines = sut
        .lines()
        .filter((line) => line['log.logger'] === 'Probe' && line['http.request.id'] === requestId);
      expect(probeLines.map((line) => line['message'])).toEqual([
        'probe after a query',
        'probe failure',
      ]);
      expect(probeLines[1]).toMatchObject({
        'log.level': 'error',
        error: {
          type: 'Error',
          message: 'probe failure',
          stack_trace: expect.stringContaining('Error: probe failure'),
        },
      });
    });

    it('should write only fields the index template maps, with matching types, when lines are parsed as JSON', async () => {
      await fetch(`${sut.url}/no/such/route`);
      const fields = mappedFields(template.template.mappings.properties);
      const lines = sut.lines();
      expect(lines.length).toBeGreaterThan(5);
      const problems: string[] = [];
      for (const line of lines) {
        for (const [path, value] of leafPaths(line)) {
          const type = fields.get(path);
          if (!type) problems.push(`${path} is not mapped`);
          else if (!fitsType(type, value))
            problems.push(`${path}=${JSON.stringify(value)} is not a ${type}`);
        }
      }
      expect([...new Set(problems)]).toEqual([]);
      for (const line of lines) {
        expect(line).toMatchObject({
          '@timestamp': expect.any(String),
          'log.level': expect.any(String),
          'ecs.version': expect.any(String),
          message: expect.any(String),
        });
      }
    });
  });
}

describe('log shipping configuration (syntax and shape only: no Filebeat, Logstash, Elasticsearch or Kibana runs here)', () => {
  const compose = readYaml<{
    services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
  }>(join(ROOT, 'docker-compose.yml'));
  const logDir = compose.services.api.environment?.LOG_DIR;

  it('should read the API log files as NDJSON and container logs, and send to Logstash on 5044, when filebeat.yml is parsed', () => {
    const filebeat = readYaml<{
      'filebeat.inputs': Array<{
        type: string;
        paths: string[];
        parsers?: Array<{ ndjson?: Record<string, unknown> }>;
      }>;
      'output.logstash': { hosts: string[] };
    }>(join(LOGGING, 'filebeat', 'filebeat.yml'));
    const inputs = filebeat['filebeat.inputs'];
    const file = inputs.find((input) => input.type === 'filestream');
    expect(file?.paths).toEqual([`${logDir}/*.log`]);
    expect(LOG_FILE_NAME).toMatch(/\.log$/);
    expect(file?.parsers?.[0]?.ndjson).toMatchObject({
      target: '',
      expand_keys: true,
      overwrite_keys: true,
    });
    expect(inputs.some((input) => input.type === 'container')).toBe(true);
    expect(filebeat['output.logstash'].hosts).toEqual(['logstash:5044']);
    // Filebeat sees the directory the API writes.
    const apiVolume = compose.services.api.volumes?.find((volume) => volume.endsWith(`:${logDir}`));
    const shared = apiVolume?.split(':')[0];
    expect(compose.services.filebeat.volumes).toContain(`${shared}:${logDir}:ro`);
  });

  it('should take Beats on 5044 and write daily indices the template covers when the Logstash pipeline is read', () => {
    const pipeline = readFileSync(
      join(LOGGING, 'logstash', 'pipeline', 'cryoprotect.conf'),
      'utf8',
    );
    const code = pipeline
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n')
      .replace(/"(?:[^"\\]|\\.)*"/g, '""');
    let depth = 0;
    for (const char of code) {
      depth += char === '{' ? 1 : char === '}' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(code).toMatch(/^input\s*\{/m);
    expect(code).toMatch(/^filter\s*\{/m);
    expect(code).toMatch(/^output\s*\{/m);
    expect(pipeline).toMatch(/beats\s*\{[^}]*port\s*=>\s*5044/);
    const index = /index\s*=>\s*"([^"]+)"/.exec(pipeline)?.[1];
    expect(index).toBe('cryoprotect-logs-%{+YYYY.MM.dd}');
    const prefix = index!.split('%')[0];
    expect(template.index_patterns).toEqual([`${prefix}*`]);
  });

  it('should tie the index template to the ILM policy the setup script installs when the files are read', () => {
    const policy = JSON.parse(
      readFileSync(join(LOGGING, 'elasticsearch', 'ilm-policy.json'), 'utf8'),
    ) as {
      policy: { phases: Record<string, { min_age: string; actions: Record<string, unknown> }> };
    };
    const name = template.template.settings['index.lifecycle.name'];
    expect(name).toBe('cryoprotect-logs');
    expect(policy.policy.phases.delete.actions).toHaveProperty('delete');
    const setup = readFileSync(join(LOGGING, 'setup.sh'), 'utf8');
    expect(setup).toContain(`_ilm/policy/${String(name)}`);
    expect(setup).toContain('_index_template/cryoprotect-logs');
    expect(setup).toContain('saved-objects.ndjson');
  });

  it('should define a data view and a request search over mapped fields when the Kibana NDJSON is parsed', () => {
    const objects = readFileSync(join(LOGGING, 'kibana', 'saved-objects.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            id: string;
            type: string;
            attributes: Record<string, unknown>;
            references: Array<{ id: string; name: string; type: string }>;
          },
      );
    const fields = mappedFields(template.template.mappings.properties);
    const dataView = objects.find((object) => object.type === 'index-pattern');
    expect(dataView?.attributes).toMatchObject({
      title: template.index_patterns[0],
      timeFieldName: '@timestamp',
    });
    expect(fields.get('@timestamp')).toBe('date');
    const searches = objects.filter((object) => object.type === 'search');
    expect(searches.map((search) => search.id)).toContain('cryoprotect-requests');
    for (const search of searches) {
      for (const column of search.attributes.columns as string[])
        expect({ column, mapped: fields.has(column) }).toEqual({ column, mapped: true });
      const source = JSON.parse(
        (search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
      ) as { indexRefName: string };
      const reference = search.references.find((ref) => ref.name === source.indexRefName);
      expect(reference).toMatchObject({ type: 'index-pattern', id: dataView?.id });
    }
  });
});
