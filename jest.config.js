// Jest runs in CommonJS mode: Nest 12 packages are ESM-only and some CJS packages require() them,
// which Jest's loader only supports on Node >= 24.9. So TS and the ESM dependencies below are
// transformed to CommonJS by swc. See ../shared/STACK-NOTES.md item 12.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

// Every installed package that ships ESM only ("type": "module"), found at startup so a new
// dependency needs no edit here.
function esmOnlyPackages() {
  const root = join(__dirname, 'node_modules');
  const names = [];
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    const scoped = entry.startsWith('@');
    for (const name of scoped
      ? readdirSync(join(root, entry)).map((sub) => `${entry}/${sub}`)
      : [entry]) {
      try {
        const manifest = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8'));
        if (manifest.type === 'module') names.push(name);
      } catch {
        // not a package folder
      }
    }
  }
  return names.map((name) => name.replace(/[.+]/g, '\\$&'));
}
const esmPackages = esmOnlyPackages();
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const shared = {
  transform: { '^.+\\.(t|m?j)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
  maxWorkers: 2,
  testTimeout: 60000,
};
