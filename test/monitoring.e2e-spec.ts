import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, describeEachDatabase, TestApp } from './support/test-app';
import {
  exec,
  exposedNames,
  filesIn,
  freePort,
  MONITORING,
  namesInExpression,
  readYaml,
  recordedNamesInExpression,
  requireBinaries,
  ROOT,
  ServerProcess,
  waitFor,
  which,
} from './monitoring.support';

const PROMETHEUS_DIR = join(MONITORING, 'prometheus');
const GRAFANA_DIR = join(MONITORING, 'grafana');
const ALERTMANAGER_CONFIG = join(MONITORING, 'alertmanager', 'alertmanager.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}
interface RuleTestFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: Array<{
    id: number;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { uid?: string };
    targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
  }>;
}

const rules = (): Rule[] =>
  filesIn(join(PROMETHEUS_DIR, 'rules'), '.yml').flatMap((file) =>
    readYaml<RuleFile>(file).groups.flatMap((group) => group.rules),
  );
const alerts = () => rules().filter((rule) => rule.alert);
const dashboards = (): Array<[string, DashboardJson]> =>
  filesIn(join(GRAFANA_DIR, 'dashboards'), '.json').map((file) => [
    file,
    JSON.parse(readFileSync(file, 'utf8')) as DashboardJson,
  ]);
const dashboardExpressions = () =>
  dashboards().flatMap(([, dashboard]) =>
    dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
  );

const hasPromtool = requireBinaries('promtool');
const hasAmtool = requireBinaries('amtool');
const hasServers = requireBinaries(
  'prometheus',
  'prometheus-alertmanager',
  'prometheus-node-exporter',
);

/** See the promtool unit tests below. */
const PROMTOOL_TEST_TIMEOUT_MS = 300_000;

describe('monitoring configuration', () => {
  (hasPromtool ? it : it.skip)(
    'should pass promtool check config when checking the compose and local Prometheus configs',
    async () => {
      for (const file of ['prometheus.yml', 'prometheus.local.yml']) {
        const result = await exec('promtool', ['check', 'config', join(PROMETHEUS_DIR, file)]);
        expect({ file, ...result }).toMatchObject({ file, code: 0 });
      }
    },
  );

  (hasPromtool ? it : it.skip)(
    'should pass promtool check rules when checking every rule file',
    async () => {
      const result = await exec('promtool', [
        'check',
        'rules',
        ...filesIn(join(PROMETHEUS_DIR, 'rules'), '.yml'),
      ]);
      expect(result.output).not.toContain('FAILED');
      expect(result.code).toBe(0);
    },
  );

  (hasPromtool ? it : it.skip)(
    'should pass the promtool unit tests when running every test file',
    async () => {
      const result = await exec('promtool', [
        'test',
        'rules',
        ...filesIn(join(PROMETHEUS_DIR, 'tests'), '.yml'),
      ]);
      expect(result.output).not.toContain('FAILED');
      expect(result.code).toBe(0);
    },
    // promtool evaluates the 3-day burn-rate windows step by step: about 45 s on an idle 2-core
    // machine, and past the suite's 60 s default beside the other suites.
    PROMTOOL_TEST_TIMEOUT_MS,
  );

  it('should have a promtool test that fires every alert when the rules are read', () => {
    const tested = new Set(
      filesIn(join(PROMETHEUS_DIR, 'tests'), '.yml').flatMap((file) =>
        readYaml<RuleTestFile>(file).tests.flatMap((group) =>
          (group.alert_rule_test ?? [])
            .filter((test) => (test.exp_alerts ?? []).length > 0)
            .map((test) => test.alertname),
        ),
      ),
    );
    const untested = alerts()
      .map((rule) => rule.alert!)
      .filter((name) => !tested.has(name));
    expect(untested).toEqual([]);
    expect(alerts().length).toBeGreaterThanOrEqual(18);
  });

  it('should give every alert a routable severity and a summary and description when the rules are read', () => {
    for (const rule of alerts()) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
    }
  });

  it('should cover the required alerts when the rules are read', () => {
    const names = alerts().map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'ApiErrorBudgetBurnFast',
        'ApiErrorBudgetBurnMedium',
        'ApiErrorBudgetBurnSlow',
        'ApiLatencyBudgetBurnFast',
        'ApiLatencyBudgetBurnMedium',
        'ApiLatencyBudgetBurnSlow',
        'ApiDown',
        'NodeDown',
        'HostHighCpu',
        'HostMemoryLow',
        'HostDiskAlmostFull',
        'DatabaseQueriesSlow',
        'DatabasePoolSaturated',
        'CacheErrors',
        'BackupMissing',
        'BackupFailing',
        'BackupVerificationStale',
      ]),
    );
  });

  it('should define every recording rule that rules and dashboards read when the names are compared', () => {
    const recorded = new Set(rules().flatMap((rule) => (rule.record ? [rule.record] : [])));
    const used = [...rules().map((rule) => rule.expr), ...dashboardExpressions()].flatMap(
      recordedNamesInExpression,
    );
    expect(used.filter((name) => !recorded.has(name))).toEqual([]);
  });

  (hasAmtool ? it : it.skip)(
    'should pass amtool check-config when checking the Alertmanager config',
    async () => {
      const result = await exec('amtool', ['check-config', ALERTMANAGER_CONFIG]);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    },
  );

  (hasAmtool ? it : it.skip)(
    'should route critical alerts to email and Slack and warnings to Slack when amtool resolves routes',
    async () => {
      const route = (receiver: string, ...labels: string[]) =>
        exec('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${ALERTMANAGER_CONFIG}`,
          `--verify.receivers=${receiver}`,
          ...labels,
        ]);
      expect((await route('oncall-critical', 'severity=critical', 'alertname=ApiDown')).code).toBe(
        0,
      );
      expect(
        (await route('slack-warnings', 'severity=warning', 'alertname=HostHighCpu')).code,
      ).toBe(0);
      expect((await route('oncall-critical', 'severity=warning')).code).toBe(1);

      const config = readYaml<{
        receivers: Array<{ name: string; email_configs?: unknown[]; slack_configs?: unknown[] }>;
      }>(ALERTMANAGER_CONFIG);
      const critical = config.receivers.find((receiver) => receiver.name === 'oncall-critical');
      expect(critical?.email_configs?.length).toBeGreaterThan(0);
      expect(critical?.slack_configs?.length).toBeGreaterThan(0);
    },
  );

  it('should read Alertmanager secrets from files and inhibit warnings by criticals when the config is read', () => {
    const text = readFileSync(ALERTMANAGER_CONFIG, 'utf8');
    const config = readYaml<{
      global: Record<string, unknown>;
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[] }>;
    }>(ALERTMANAGER_CONFIG);
    expect(config.global.smtp_auth_password_file).toBeDefined();
    expect(config.global.slack_api_url_file).toBeDefined();
    expect(text).not.toMatch(/smtp_auth_password:|api_url:/);
    expect(config.inhibit_rules.length).toBeGreaterThan(0);
    for (const rule of config.inhibit_rules) {
      expect(rule.source_matchers).toEqual(['severity="critical"']);
      expect(rule.target_matchers).toEqual(['severity="warning"']);
    }
  });

  it('should type-check the dashboards against @grafana/schema when tsc runs, and reject a broken one', async () => {
    const dir = mkdtempSync(join(ROOT, 'test', '.tmp', 'dashboards-'));
    try {
      const broken = JSON.parse(
        readFileSync(join(GRAFANA_DIR, 'dashboards', 'backups.json'), 'utf8'),
      ) as Record<string, unknown>;
      broken.schemaVersion = 'thirty-nine';
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
      writeFileSync(
        join(dir, 'broken.ts'),
        "import type { Dashboard } from '@grafana/schema';\nimport broken from './broken.json';\nexport const dashboard: Dashboard = broken;\n",
      );
      const tsconfig = (files: string[]) =>
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            resolveJsonModule: true,
            esModuleInterop: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          files,
        });
      writeFileSync(
        join(dir, 'good.json'),
        tsconfig([join(GRAFANA_DIR, 'dashboards.typecheck.ts')]),
      );
      writeFileSync(join(dir, 'bad.json'), tsconfig(['broken.ts']));
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const good = await exec(process.execPath, [tsc, '-p', join(dir, 'good.json')]);
      expect(good).toEqual({ code: 0, output: '' });
      const bad = await exec(process.execPath, [tsc, '-p', join(dir, 'bad.json')]);
      expect(bad.code).not.toBe(0);
      expect(bad.output).toContain('schemaVersion');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should lay out dashboards on the provisioned datasource with unique panel ids when the JSON is read', () => {
    const datasource = readYaml<{ datasources: Array<{ uid: string; type: string; url: string }> }>(
      join(GRAFANA_DIR, 'provisioning', 'datasources', 'prometheus.yml'),
    ).datasources[0];
    expect(datasource).toMatchObject({
      uid: 'prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const provider = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>(
      join(GRAFANA_DIR, 'provisioning', 'dashboards', 'cryoprotect.yml'),
    ).providers[0];
    expect(provider.type).toBe('file');
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toContain(
      `./monitoring/grafana/dashboards:${provider.options.path}`,
    );

    const found = dashboards();
    expect(found.map(([file]) => file.split('/').pop())).toEqual([
      'api-performance.json',
      'backups.json',
      'database-performance.json',
      'system-resources.json',
    ]);
    expect(new Set(found.map(([, dashboard]) => dashboard.uid)).size).toBe(found.length);
    for (const [, dashboard] of found) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        expect(panel.datasource?.uid).toBe(datasource.uid);
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expect(target.datasource?.uid).toBe(datasource.uid);
      }
    }
  });

  (which('docker-compose') ? it : it.skip)(
    'should pass docker-compose config -q with every service healthchecked and no host port on 3000 but the API',
    async () => {
      const result = await exec('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
      expect(result).toEqual({ code: 0, output: '' });
      const compose = readYaml<{
        services: Record<
          string,
          { ports?: string[]; healthcheck?: unknown; image?: string; build?: unknown }
        >;
      }>(join(ROOT, 'docker-compose.yml'));
      expect(Object.keys(compose.services)).toEqual(
        expect.arrayContaining([
          'api',
          'postgres',
          'redis',
          'prometheus',
          'alertmanager',
          'grafana',
          'node-exporter',
          'elasticsearch',
          'logstash',
          'kibana',
          'filebeat',
          'minio',
          'azurite',
        ]),
      );
      const hostPorts = Object.entries(compose.services).flatMap(([name, service]) =>
        (service.ports ?? []).map((mapping) => {
          const host = /^(?:\$\{[A-Z_]+:-(\d+)\}|(\d+)):/.exec(mapping);
          return { name, port: Number(host?.[1] ?? host?.[2]) };
        }),
      );
      expect(new Set(hostPorts.map((entry) => entry.port)).size).toBe(hostPorts.length);
      expect(hostPorts.filter((entry) => entry.port === 3000).map((entry) => entry.name)).toEqual([
        'api',
      ]);
      for (const name of [
        'api',
        'postgres',
        'redis',
        'prometheus',
        'alertmanager',
        'grafana',
        'node-exporter',
        'elasticsearch',
        'logstash',
        'kibana',
        'filebeat',
      ]) {
        expect({ name, healthcheck: Boolean(compose.services[name].healthcheck) }).toEqual({
          name,
          healthcheck: true,
        });
      }
    },
  );
});

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.request('/metrics', { headers });
  expect(response.status).toBe(200);
  return response.text();
}

function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describeEachDatabase('metrics', (ctx, kind) => {
  it('should count requests by route template, including 404s and guard rejections, when requests are served', async () => {
    const app = ctx();
    expect((await app.request('/health/live')).status).toBe(200);
    expect((await app.request('/no/such/route/123')).status).toBe(404);
    expect((await app.request('/api/v1/auth/me')).status).toBe(401);
    const asset = await app.request('/docs/swagger-ui.css');
    expect(asset.status).toBe(200);
    // A response counts once it has been sent completely.
    await asset.arrayBuffer();
    const text = await scrape(app);
    expect(
      sample(text, 'cryoprotect_http_requests_total', {
        method: 'GET',
        route: '/health/live',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'cryoprotect_http_requests_total', { route: 'unmatched', status_code: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'cryoprotect_http_requests_total', {
        route: '/api/v1/auth/me',
        status_code: '401',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'cryoprotect_http_request_duration_seconds_count', { route: '/health/live' }),
    ).toBeGreaterThanOrEqual(1);
    // Never a raw path or an id in a label.
    expect(text).not.toContain('/no/such/route');
    expect(text).not.toContain('swagger-ui.css');
    expect(text).toMatch(/route="\/docs\/\*"/);
    // Only the scrape itself is in flight.
    expect(sample(text, 'cryoprotect_http_requests_in_flight')).toBe(1);
  });

  it('should count a request in flight while its body arrives and drop it when the client goes away', async () => {
    const app = ctx();
    const { hostname, port } = new URL(app.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    // Headers and the first byte of a 100-byte body: the request stays open, waiting for the rest.
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    let inFlight: number | undefined;
    for (let attempt = 0; attempt < 50 && inFlight !== 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight = sample(await scrape(app), 'cryoprotect_http_requests_in_flight');
    }
    // The stalled request and the scrape itself.
    expect(inFlight).toBe(2);
    socket.destroy();
    await new Promise((resolve) => socket.once('close', resolve));
    for (let attempt = 0; attempt < 50 && inFlight !== 1; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight = sample(await scrape(app), 'cryoprotect_http_requests_in_flight');
    }
    expect(inFlight).toBe(1);
  });

  it('should time database queries by operation and report the pool when a login reads the database', async () => {
    const app = ctx();
    await app.signIn('viewer');
    const text = await scrape(app);
    expect(
      sample(text, 'cryoprotect_db_query_duration_seconds_count', { operation: 'select' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'cryoprotect_db_query_duration_seconds_count', { operation: 'insert' }),
    ).toBeGreaterThan(0);
    const max = sample(text, 'cryoprotect_db_pool_connections_max');
    expect(max).toBe(kind === 'postgres' ? app.config.database.poolMax : 1);
    expect(sample(text, 'cryoprotect_db_pool_connections_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cryoprotect_db_pool_connections_idle')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'cryoprotect_db_pool_clients_waiting')).toBe(0);
  });

  it('should report domain row counts only for tables that exist when scraped', async () => {
    const app = ctx();
    const text = await scrape(app);
    const present = await app.database.session((session) =>
      session.query<{ name: string }>(
        `SELECT t AS name FROM unnest(ARRAY['molecules','mixtures','experiments']) AS t WHERE to_regclass('public.' || t) IS NOT NULL`,
      ),
    );
    for (const table of ['molecules', 'mixtures', 'experiments']) {
      const value = sample(text, `cryoprotect_${table}`);
      if (present.some((row) => row.name === table))
        expect({ table, value }).toEqual({ table, value: expect.any(Number) });
      else expect({ table, value }).toEqual({ table, value: undefined });
    }
    expect(text).toContain('# TYPE cryoprotect_molecules gauge');
  });

  it('should expose cache counters and default process metrics when scraped', async () => {
    const text = await scrape(ctx());
    for (const name of [
      'cryoprotect_cache_hits_total',
      'cryoprotect_cache_misses_total',
      'cryoprotect_cache_errors_total',
    ]) {
      expect(sample(text, name, { backend: 'memory' })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});

describe('metrics access', () => {
  it('should answer 401 problem+json without the bearer token and 200 with it when metrics.bearerToken is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const app = await createTestApp('pglite', { overrides: { metrics: { bearerToken: token } } });
    try {
      const denied = await app.request('/metrics');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toContain('application/problem+json');
      expect(await denied.json()).toMatchObject({ status: 401, code: 'METRICS_AUTH_REQUIRED' });
      expect(
        (
          await app.request('/metrics', {
            headers: { authorization: 'Bearer wrong-token-0123456789abc' },
          })
        ).status,
      ).toBe(401);
      const allowed = await app.request('/metrics', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('cryoprotect_http_requests_total');
    } finally {
      await app.close();
    }
  });

  it('should answer 404 and record nothing when metrics are disabled', async () => {
    const app = await createTestApp('pglite', { overrides: { metrics: { enabled: false } } });
    try {
      await app.request('/health/live');
      const response = await app.request('/metrics');
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'METRICS_DISABLED' });
    } finally {
      await app.close();
    }
  });
});

(hasServers ? describe : describe.skip)(
  'Prometheus and Alertmanager against the running service',
  () => {
    let app: TestApp;
    let work: string;
    let prometheus: ServerProcess;
    let alertmanager: ServerProcess;
    let webhook: Server;
    let prometheusUrl: string;
    const notifications: Array<{
      alerts: Array<{ labels: Record<string, string>; status: string }>;
    }> = [];

    beforeAll(async () => {
      app = await createTestApp('pglite');
      work = mkdtempSync(join(tmpdir(), 'cryoprotect-prometheus-'));
      mkdirSync(join(work, 'tsdb'));
      mkdirSync(join(work, 'alertmanager'));

      const webhookPort = await freePort();
      webhook = createServer((request: IncomingMessage, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          notifications.push(JSON.parse(body) as (typeof notifications)[number]);
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => webhook.listen(webhookPort, '127.0.0.1', resolve));

      const alertmanagerPort = await freePort();
      writeFileSync(
        join(work, 'alertmanager.yml'),
        [
          'route:',
          '  receiver: webhook',
          '  group_wait: 1s',
          '  group_interval: 1s',
          'receivers:',
          '  - name: webhook',
          '    webhook_configs:',
          `      - url: http://127.0.0.1:${webhookPort}/alerts`,
          '',
        ].join('\n'),
      );
      alertmanager = new ServerProcess('prometheus-alertmanager', [
        `--config.file=${join(work, 'alertmanager.yml')}`,
        `--storage.path=${join(work, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
        '--cluster.listen-address=',
      ]);

      // A rule on the service's own metric: fires as soon as the service has answered a 404.
      writeFileSync(
        join(work, 'rules.yml'),
        [
          'groups:',
          '  - name: test',
          '    rules:',
          '      - alert: UnmatchedRoutesRequested',
          '        expr: sum by (job) (cryoprotect_http_requests_total{route="unmatched"}) > 0',
          '        labels:',
          '          severity: warning',
          '',
        ].join('\n'),
      );
      const target = new URL(app.url).host;
      writeFileSync(
        join(work, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  evaluation_interval: 1s',
          'alerting:',
          '  alertmanagers:',
          '    - static_configs:',
          `        - targets: ['127.0.0.1:${alertmanagerPort}']`,
          'rule_files:',
          `  - ${join(work, 'rules.yml')}`,
          'scrape_configs:',
          '  - job_name: cryoprotect-api',
          '    static_configs:',
          `      - targets: ['${target}']`,
          '',
        ].join('\n'),
      );
      const prometheusPort = await freePort();
      prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
      prometheus = new ServerProcess('prometheus', [
        `--config.file=${join(work, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(work, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--rules.alert.resend-delay=1s',
      ]);
      await waitFor(
        'Prometheus ready',
        async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined),
        30_000,
        prometheus,
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
      await alertmanager?.stop();
      await new Promise((resolve) => webhook?.close(resolve));
      await app?.close();
      rmSync(work, { recursive: true, force: true });
    });

    async function query(expr: string): Promise<number | undefined> {
      const response = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      const body = (await response.json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      const [first] = body.data.result;
      return first ? Number(first.value[1]) : undefined;
    }

    it('should read back the request count through the Prometheus query API when requests were sent', async () => {
      const requests = 7;
      for (let i = 0; i < requests; i++)
        expect((await app.request('/health/startup')).status).toBe(200);
      const counted = await waitFor(
        'the request count in Prometheus',
        async () => {
          const value = await query(
            'sum(cryoprotect_http_requests_total{job="cryoprotect-api",route="/health/startup"})',
          );
          return value === requests ? value : undefined;
        },
        30_000,
        prometheus,
      );
      expect(counted).toBe(requests);
      expect(await query('up{job="cryoprotect-api"}')).toBe(1);
    });

    it('should deliver a firing alert to the webhook through Alertmanager when the service reports it', async () => {
      expect((await app.request('/definitely/not/a/route')).status).toBe(404);
      const delivered = await waitFor(
        'the alert at the webhook',
        async () =>
          notifications
            .flatMap((notification) => notification.alerts)
            .find(
              (alert) =>
                alert.labels.alertname === 'UnmatchedRoutesRequested' && alert.status === 'firing',
            ),
        45_000,
        alertmanager,
      );
      expect(delivered.labels).toMatchObject({
        alertname: 'UnmatchedRoutesRequested',
        job: 'cryoprotect-api',
        severity: 'warning',
      });
    });
  },
);

(hasServers ? describe : describe.skip)('metric names used by rules and dashboards', () => {
  let app: TestApp;
  let nodeExporter: ServerProcess;
  let nodeExporterUrl: string;

  beforeAll(async () => {
    app = await createTestApp('pglite');
    const port = await freePort();
    nodeExporterUrl = `http://127.0.0.1:${port}/metrics`;
    nodeExporter = new ServerProcess('prometheus-node-exporter', [
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await waitFor(
      'node-exporter',
      async () => ((await fetch(nodeExporterUrl)).ok ? true : undefined),
      15_000,
      nodeExporter,
    );
  });

  afterAll(async () => {
    await nodeExporter?.stop();
    await app?.close();
  });

  it('should find every metric name of the rules and dashboards in the service or node-exporter output', async () => {
    // Traffic first, so labelled series (HTTP, queries) have samples.
    await app.signIn('viewer');
    await app.request('/health/live');
    const service = exposedNames(await scrape(app));
    const node = exposedNames(await (await fetch(nodeExporterUrl)).text());
    const used = new Set(
      [...rules().map((rule) => rule.expr), ...dashboardExpressions()].flatMap(namesInExpression),
    );
    const missing = [...used].filter((name) => {
      if (name === 'up') return false;
      if (name.startsWith('node_')) return !node.has(name);
      return !service.has(name);
    });
    expect(missing).toEqual([]);
    // The cross-check is not vacuous.
    expect([...used].filter((name) => name.startsWith('cryoprotect_')).length).toBeGreaterThan(10);
    expect(used).toContain('cryoprotect_backup_last_success_timestamp_seconds');
    expect([...used].filter((name) => name.startsWith('node_')).length).toBeGreaterThan(3);
  });
});
