import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { createTestApp, TestApp } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe('Swagger UI in headless Chromium', () => {
  let testApp: TestApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!hasChromium) {
      if (process.env.CI === 'true')
        throw new Error(`${CHROMIUM} is missing; CI installs the chromium package`);
      process.stdout.write(`skipping the /docs rendering test: ${CHROMIUM} is not installed\n`);
      return;
    }
    testApp = await createTestApp('pglite');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  it('should render the API title and the login operation with no console errors or CSP violations', async () => {
    if (!browser || !testApp) return;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));

    const response = await page.goto(`${testApp.url}/docs`, { waitUntil: 'load' });
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    const login = page.locator(
      '.opblock-post .opblock-summary-path[data-path="/api/v1/auth/login"]',
    );
    await login.waitFor({ timeout: 20_000 });

    expect(response?.status()).toBe(200);
    expect(await page.locator('.swagger-ui .info .title').innerText()).toMatch(/CryoProtect/);
    expect(await login.innerText()).toContain('/api/v1/auth/login');
    expect(problems).toEqual([]);
  });
});
