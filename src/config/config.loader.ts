import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Config, configSchema, envBindings } from './config.schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Environment to read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Folder holding default.yaml; defaults to ./config of the project. */
  configDir?: string;
  /** Values applied last, above files and environment (tests and the CLI use it). */
  overrides?: Tree;
}

const projectRoot = resolve(__dirname, '..', '..', __dirname.includes('/dist/') ? '..' : '');

/**
 * Builds the one configuration object: config/default.yaml, then the file named by
 * CRYOPROTECT_CONFIG, then environment variables, then overrides. Every invalid setting is
 * reported at once, by the name the operator used (the environment variable when it came from one).
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? resolve(projectRoot, 'config');
  const problems: string[] = [];
  const tree: Tree = {};

  const files = [resolve(configDir, 'default.yaml')];
  if (env.CRYOPROTECT_CONFIG) files.push(resolve(env.CRYOPROTECT_CONFIG));
  for (const file of files) {
    if (!existsSync(file)) {
      if (file !== files[0]) problems.push(`CRYOPROTECT_CONFIG: file not found: ${file}`);
      continue;
    }
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8')) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`${file}: must contain a YAML mapping`);
      } else {
        deepMerge(tree, parsed as Tree);
      }
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  const sourceOf = new Map<string, string>();
  for (const { env: name, path } of envBindings) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(tree, path, value);
    sourceOf.set(path, name);
  }
  if (options.overrides) deepMerge(tree, options.overrides);

  const result = configSchema.safeParse(tree);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(describeIssue(issue, sourceOf));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const config = result.data as Config;
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(config.dataDir);
  return deepFreeze(config);
}

function describeIssue(issue: z.core.$ZodIssue, sourceOf: Map<string, string>): string {
  const path = issue.path.map(String).join('.');
  const envName = sourceOf.get(path);
  const name = envName ? `${envName} (${path})` : path || '(root)';
  return `${name}: ${issue.message}`;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]] = value;
}

function deepMerge(target: Tree, source: Tree): Tree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else target[key] = value;
  }
  return target;
}

function isPlainObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
