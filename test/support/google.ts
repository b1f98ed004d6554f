import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { parseConfig } from '../../src/core/config.ts';
import type { Mailer } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { CONTACTS, type Row, localTime } from './workspace.ts';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { type RetryPolicy, type SheetsClient, createSheetsClient } from '../../src/stores/google/transport.ts';
import { SheetsEmulator } from '../emulator/sheets-emulator.ts';

export const SERVICE_ACCOUNT = 'bucp-tracker@test-project.iam.gserviceaccount.com';

/** Fast, but still bounded: tests exercise the same retry code with shorter waits. */
export const TEST_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 20 };

/** The real Google client with a static token, pointed at the emulator. */
export function emulatorClient(rootUrl: string): SheetsClient {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
  return createSheetsClient({ authClient: Object.assign(auth, { email: SERVICE_ACCOUNT }), rootUrl });
}

export interface GoogleRig {
  readonly emulator: SheetsEmulator;
  readonly rootUrl: string;
  readonly client: SheetsClient;
  readonly tracker: GoogleSheetsTrackerStore;
  readonly restricted: GoogleSheetsRestrictedStore;
  stop(): Promise<void>;
}

let counter = 0;

/** An emulator with an empty tracker and restricted spreadsheet, and the stores pointed at them. */
export async function googleRig(options: { retry?: RetryPolicy; listingMaxAgeMs?: number } = {}): Promise<GoogleRig> {
  const emulator = new SheetsEmulator();
  const rootUrl = await emulator.start();
  counter += 1;
  const trackerId = `tracker-spreadsheet-${counter}`;
  const restrictedId = `restricted-spreadsheet-${counter}`;
  emulator.registerToken('test-token', SERVICE_ACCOUNT);
  emulator.createSpreadsheet(trackerId, { title: 'BUCP tracker' });
  emulator.createSpreadsheet(restrictedId, { title: 'BUCP restricted' });
  const client = emulatorClient(rootUrl);
  const retry = options.retry ?? TEST_RETRY;
  return {
    emulator,
    rootUrl,
    client,
    tracker: new GoogleSheetsTrackerStore({
      spreadsheetId: trackerId,
      client,
      retry,
      ...(options.listingMaxAgeMs === undefined ? {} : { listingMaxAgeMs: options.listingMaxAgeMs }),
    }),
    restricted: new GoogleSheetsRestrictedStore({ spreadsheetId: restrictedId, client, retry }),
    stop: () => emulator.stop(),
  };
}

/** A full cycle rig on the emulator: config, stores, a real outbox, captured logs. */
export async function googleWorkspace(options: { retry?: RetryPolicy; quota?: false; listingMaxAgeMs?: number } = {}) {
  const rig = await googleRig(options);
  if (options.quota === false) rig.emulator.setQuota(false);
  const parsed = parseConfig({
    store: {
      kind: 'google-sheets',
      spreadsheetId: rig.tracker.spreadsheetId,
      restrictedSpreadsheetId: rig.restricted.spreadsheetId,
      rootUrl: rig.rootUrl,
    },
    mail: { kind: 'outbox', dir: 'unused' },
    contacts: CONTACTS,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  await runInit({ config, store: rig.tracker, restricted: rig.restricted });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-google-'));
  const outbox = new OutboxMailer({ dir: path.join(dir, 'outbox'), from: 'BUCP Tracker <bucp@localhost>' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });
  const templates = await MailTemplates.load();
  const header = (tab: string) =>
    (rig.emulator.sheet(rig.tracker.spreadsheetId, tab).values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
  /** Every row of a tracker tab in sheet order, as header → value: a line repeated in the tab comes back twice. */
  const lines = (tab: string): Record<string, unknown>[] => {
    const [names = [], ...rows] = rig.emulator
      .sheet(rig.tracker.spreadsheetId, tab)
      .values({ render: 'UNFORMATTED_VALUE' });
    return rows.map((row) => Object.fromEntries(names.map((h, i) => [String(h), row[i] ?? null])));
  };
  /** Types rows into a tab as staff would (USER_ENTERED), after the last row. */
  const addRows = (
    tab: string,
    rows: readonly Row[],
    spreadsheetId = rig.tracker.spreadsheetId,
    input: 'RAW' | 'USER_ENTERED' = 'USER_ENTERED',
  ) => {
    const sheet = rig.emulator.sheet(spreadsheetId, tab);
    const names = (sheet.values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
    rig.emulator.setRows(
      { spreadsheetId, title: tab },
      rows.map((row) => names.map((h) => staffText(row[h]))),
      { startRow: sheet.lastRow + 1, input },
    );
  };
  return {
    ...rig,
    config,
    outbox,
    logs,
    header,
    lines,
    addProposals: (rows: readonly Row[], input: 'RAW' | 'USER_ENTERED' = 'USER_ENTERED') =>
      addRows('Proposals', rows, rig.tracker.spreadsheetId, input),
    addDisputes: (rows: readonly Row[]) => addRows('Disputes', rows),
    addTasks: (rows: readonly Row[]) => addRows('Tasks', rows),
    addRestricted: (rows: readonly Row[]) => addRows('Restricted', rows, rig.restricted.spreadsheetId),
    run: (now: string, mailer: Mailer = outbox) =>
      runCycle(
        { config, store: rig.tracker, restricted: rig.restricted, mailer, templates, logger },
        { now: localTime(now, config.timezone) },
      ),
  };
}

/** A cell as a person types it: dates as YYYY-MM-DD text, which Sheets turns into a date. */
function staffText(value: Row[string] | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return value as string | number | boolean;
}
