import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Config } from '../core/config.ts';
import { calendarFor } from '../core/cycle.ts';
import { TABS } from '../core/contract.ts';
import { localDate } from '../core/dates.ts';
import { type SampleData, sampleData } from '../demo/sample-data.ts';
import { createStores } from '../stores/create-stores.ts';
import { runInit } from './init.job.ts';

const MARKER = '.bucp-demo';

/** The demo was pointed at a folder it must not clear. */
export class DemoFolderError extends Error {
  override readonly name = 'DemoFolderError';
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Creates both workbooks from the templates and fills them with the sample proposals and disputes.
 * `count` sets the number of proposals; `restricted` may change each restricted row before it is written.
 */
export async function seedSampleTracker(
  config: Config,
  now: Date,
  options: {
    count?: number;
    restricted?: (row: SampleData['restricted'][number]) => SampleData['restricted'][number];
  } = {},
): Promise<{ proposals: number; disputes: number; tasks: number }> {
  if (config.store.kind !== 'xlsx') throw new Error('The sample tracker is a local workbook: use store.kind xlsx');
  const { tracker, restricted } = await createStores(config.store);
  await runInit({ config, store: tracker, restricted });
  // Loaded here, as the stores are: a service on Google Sheets never loads the Excel library.
  const { appendRowsByHeader } = await import('../stores/xlsx-seed.ts');
  const data = sampleData(localDate(now, config.timezone), calendarFor(config), options.count);
  await appendRowsByHeader(config.store.path, TABS.proposals, data.proposals);
  await appendRowsByHeader(config.store.path, TABS.disputes, data.disputes);
  await appendRowsByHeader(config.store.path, TABS.tasks, data.tasks);
  const { restricted: change = (row) => row } = options;
  await appendRowsByHeader(config.store.restrictedPath, TABS.restricted, data.restricted.map(change));
  return { proposals: data.proposals.length, disputes: data.disputes.length, tasks: data.tasks.length };
}

export function sampleTrackerMissing(config: Config): Promise<boolean> {
  if (config.store.kind !== 'xlsx') return Promise.resolve(false);
  const { path: tracker, restrictedPath } = config.store;
  return Promise.all([exists(tracker), exists(restrictedPath)]).then(([a, b]) => !a && !b);
}

/**
 * Lays out a self-contained demo folder: its own config, workbooks and outbox. Only a folder the
 * demo made itself (it holds a marker file) is ever cleared.
 */
export async function prepareDemoFolder(dir: string, base: Config): Promise<{ config: Config; configFile: string }> {
  const folder = path.resolve(dir);
  if (await exists(folder)) {
    if (!(await exists(path.join(folder, MARKER)))) {
      throw new DemoFolderError(`${folder} exists and was not made by \`bucp demo\`; choose another --dir`);
    }
    await rm(folder, { recursive: true, force: true });
  }
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, MARKER), 'Made by `bucp demo`; safe to delete.\n');
  const config: Config = {
    ...base,
    store: {
      kind: 'xlsx',
      path: path.join(folder, 'tracker.xlsx'),
      restrictedPath: path.join(folder, 'restricted.xlsx'),
    },
    mail: { kind: 'outbox', dir: path.join(folder, 'outbox'), from: 'BUCP Tracker <bucp-tracker@localhost>' },
    // Sample data never goes to a real team's chat.
    chat: [],
  };
  const configFile = path.join(folder, 'bucp.yaml');
  const document = {
    ...config,
    store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
    mail: { kind: 'outbox', dir: 'outbox', from: 'BUCP Tracker <bucp-tracker@localhost>' },
  };
  await writeFile(configFile, `# Written by \`bucp demo\`.\n${stringify(document)}`);
  return { config, configFile };
}
