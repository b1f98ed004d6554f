import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Config, type ConfigProblem, parseConfig } from './core/config.ts';
import { packagePath } from './package-root.ts';

export const DEFAULT_CONFIG_PATH = packagePath('config/bucp.yaml');

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(`Invalid config ${file}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface LoadedConfig {
  readonly file: string;
  readonly config: Config;
}

/** Reads a YAML or JSON config file into a plain document, before validation. */
export async function readConfigDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both.
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: '(syntax)', message: (error as Error).message }]);
  }
}

/**
 * Reads a YAML or JSON config, validates it, and resolves relative paths against its folder. `env`
 * gives the SMTP journal's default (see `defaultJournal`).
 */
export async function loadConfig(
  file: string = DEFAULT_CONFIG_PATH,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  const parsed = parseConfig(await readConfigDocument(absolute));
  if (!parsed.ok) throw new ConfigError(absolute, parsed.problems);
  return { file: absolute, config: resolvePaths(parsed.config, path.dirname(absolute), env) };
}

/**
 * Where the SMTP journal goes when `mail.journal` is left out: in the service's state directory when
 * systemd gives it one (`StateDirectory=` sets STATE_DIRECTORY, a `:`-separated list when the unit
 * names several), else `../data/smtp-sent.jsonl` beside the config folder, where a checkout keeps
 * its data. A config under /etc would otherwise put it in /etc/data, which the unit makes read-only.
 */
export function defaultJournal(configFolder: string, env: NodeJS.ProcessEnv = process.env): string {
  const stateDirectory = env.STATE_DIRECTORY?.split(':')[0];
  return stateDirectory
    ? path.join(path.resolve(stateDirectory), 'smtp-sent.jsonl')
    : path.resolve(configFolder, '../data/smtp-sent.jsonl');
}

function storePaths(store: Config['store'], at: (p: string) => string): Config['store'] {
  switch (store.kind) {
    case 'xlsx':
      return { ...store, path: at(store.path), restrictedPath: at(store.restrictedPath) };
    case 'google-sheets':
      return { ...store, ...(store.credentials ? { credentials: at(store.credentials) } : {}) };
    case 'airtable':
      return store;
  }
}

function resolvePaths(config: Config, base: string, env: NodeJS.ProcessEnv): Config {
  const at = (p: string) => path.resolve(base, p);
  const store = storePaths(config.store, at);
  const mail =
    config.mail.kind === 'outbox'
      ? { ...config.mail, dir: at(config.mail.dir) }
      : { ...config.mail, journal: config.mail.journal ? at(config.mail.journal) : defaultJournal(base, env) };
  return { ...config, store, mail };
}
