import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { RESTRICTED_CONTENT_HEADERS, TABS } from '../../src/core/contract.ts';
import { calendarFor } from '../../src/core/cycle.ts';
import { localDate } from '../../src/core/dates.ts';
import { sampleData } from '../../src/demo/sample-data.ts';
import { seedSampleTracker } from '../../src/jobs/demo.job.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { createStores } from '../../src/stores/create-stores.ts';
import { AirtableEmulator, type Json } from '../emulator/airtable/airtable-emulator.ts';

export const CANARY = 'CANARY-n8n-5d1e-RESTRICTED';

/** A restricted row with the canary in every restricted field. */
export function withCanary<T extends object>(row: T): T {
  return { ...row, ...Object.fromEntries(RESTRICTED_CONTENT_HEADERS.map((h) => [h, `${h}: ${CANARY}`])) };
}

/**
 * A local-workbook tracker with the sample proposals as of `now`, and the canary in every
 * restricted field: no node output, email or log line may show it.
 */
export async function seedTracker(
  dir: string,
  now: Date,
  count?: number,
): Promise<{ tracker: string; restricted: string }> {
  const tracker = path.join(dir, 'tracker.xlsx');
  const restrictedPath = path.join(dir, 'restricted.xlsx');
  const parsed = parseConfig({
    store: { kind: 'xlsx', path: tracker, restrictedPath },
    mail: { kind: 'outbox', dir: path.join(dir, 'outbox') },
    contacts: { governanceLiaison: 'governance.liaison@example.gov' },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await seedSampleTracker(parsed.config, now, {
    ...(count === undefined ? {} : { count }),
    restricted: withCanary,
  });
  return { tracker, restricted: restrictedPath };
}

/** The ID of the Airtable credential the workflows are pointed at, as a user picks theirs after import. */
export const AIRTABLE_CREDENTIAL = { id: 'bucpAirtable', name: 'Airtable Personal Access Token account' };

/**
 * The same sample tracker in two Airtable bases on an emulator in this process, laid out by the real
 * `init` through the store, the sample typed in as staff would. The emulator keeps real time: n8n,
 * in its own process, paces its requests by the wall clock, and the emulator's limiter must see them so.
 */
export async function seedAirtableTracker(now: Date, token: string) {
  const emulator = new AirtableEmulator();
  const endpointUrl = await emulator.start();
  const baseId = emulator.createBase({ id: 'appN8nTracker0001', name: 'BUCP tracker' });
  const restrictedBaseId = emulator.createBase({ id: 'appN8nRestrict001', name: 'BUCP restricted' });
  const parsed = parseConfig({
    store: { kind: 'airtable', baseId, restrictedBaseId, endpointUrl },
    mail: { kind: 'outbox', dir: os.tmpdir() },
    contacts: { governanceLiaison: 'governance.liaison@example.gov' },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  const { tracker, restricted } = await createStores(config.store, { airtableToken: token });
  await runInit({ config, store: tracker, restricted });
  const data = sampleData(localDate(now, config.timezone), calendarFor(config));
  const typed = (row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([h, v]) => [h, v instanceof Date ? v.toISOString().slice(0, 10) : v]),
    ) as Json;
  // The sample's deliberately bad values that a typed field refuses (a broken email address) are
  // left out, as Airtable would not let a person type them either.
  const add = (base: string, table: string, row: Record<string, unknown>) => {
    const fields = typed(row);
    for (;;) {
      try {
        return emulator.addRecord(base, table, fields);
      } catch (error) {
        const refused = /Field "([^"]+)"/.exec((error as Error).message)?.[1];
        if (refused === undefined || !(refused in fields)) throw error;
        delete fields[refused];
      }
    }
  };
  for (const row of data.proposals) add(baseId, TABS.proposals, row);
  for (const row of data.disputes) add(baseId, TABS.disputes, row);
  for (const row of data.tasks) add(baseId, TABS.tasks, row);
  for (const row of data.restricted.map(withCanary)) add(restrictedBaseId, TABS.restricted, row);
  return { emulator, endpointUrl, baseId, restrictedBaseId };
}
