import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ConfigInput, parseConfig } from '../../src/core/config.ts';
import type { Mailer } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { AirtableRestrictedStore, AirtableTrackerStore } from '../../src/stores/airtable-store.ts';
import {
  type AirtableRetryPolicy,
  AirtableTransport,
  type AirtableTransportOptions,
} from '../../src/stores/airtable/transport.ts';
import { AirtableEmulator, type AirtableEmulatorOptions } from '../emulator/airtable/airtable-emulator.ts';
import { CONTACTS, type Row, localTime } from './workspace.ts';

export const TEST_TOKEN = 'patTestToken.0123456789';

/** Fast, but still bounded: tests exercise the same retry code; waits pass on the simulated clock. */
export const TEST_AIRTABLE_RETRY: AirtableRetryPolicy = {
  attempts: 8,
  baseDelayMs: 20,
  maxDelayMs: 200,
  rateLimitWaitMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * A clock that only moves when someone waits on it: the store's pacing and retry waits, and the
 * emulator's rate limiter, all read it. A 30 s wait after a 429, or the pacing of 2,000 requests, cost
 * no real time, and the limiter still sees requests spaced exactly as the store spaced them.
 */
export class SimulatedClock {
  private nowMs = Date.UTC(2026, 10, 23, 16);
  /** Every wait the store made, in order. */
  readonly waits: number[] = [];
  readonly now = (): number => this.nowMs;
  readonly wait = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.nowMs += ms;
    await Promise.resolve();
  };
}

export interface AirtableRig {
  readonly emulator: AirtableEmulator;
  readonly endpointUrl: string;
  readonly clock: SimulatedClock;
  readonly trackerBaseId: string;
  readonly restrictedBaseId: string;
  readonly tracker: AirtableTrackerStore;
  readonly restricted: AirtableRestrictedStore;
  /** Another store on the same base (a second instance of the service). */
  newTracker(options?: Partial<AirtableTransportOptions>): AirtableTrackerStore;
  stop(): Promise<void>;
}

let counter = 0;

export interface AirtableRigOptions {
  readonly emulator?: AirtableEmulatorOptions;
  readonly transport?: Partial<AirtableTransportOptions>;
  readonly recordLimit?: number;
  readonly leaseSettleMs?: number;
  /**
   * The real clock for the emulator and the rig's stores, where another process or the CLI's own
   * stores (which pace on the real clock) talk to the same emulator.
   */
  readonly realClock?: boolean;
}

/** An emulator with an empty tracker base and restricted base, and the stores pointed at them. */
export async function airtableRig(options: AirtableRigOptions = {}): Promise<AirtableRig> {
  const clock = new SimulatedClock();
  const emulator = new AirtableEmulator({ clock: options.realClock ? Date.now : clock.now, ...options.emulator });
  const endpointUrl = await emulator.start();
  counter += 1;
  const n = String(counter).padStart(7, '0');
  const trackerBaseId = emulator.createBase({ id: `appTracker${n}`, name: 'BUCP tracker' });
  const restrictedBaseId = emulator.createBase({ id: `appRestrct${n}`, name: 'BUCP restricted' });
  const transport = (baseId: string, extra: Partial<AirtableTransportOptions> = {}) =>
    new AirtableTransport({
      baseId,
      token: TEST_TOKEN,
      endpointUrl,
      retry: TEST_AIRTABLE_RETRY,
      ...(options.realClock ? {} : { wait: clock.wait, clock: clock.now }),
      ...options.transport,
      ...extra,
    });
  const newTracker = (extra: Partial<AirtableTransportOptions> = {}) =>
    new AirtableTrackerStore({
      baseId: trackerBaseId,
      transport: transport(trackerBaseId, extra),
      leaseSettleMs: options.leaseSettleMs ?? 50,
      ...(options.recordLimit === undefined ? {} : { recordLimit: options.recordLimit }),
    });
  return {
    emulator,
    endpointUrl,
    clock,
    trackerBaseId,
    restrictedBaseId,
    tracker: newTracker(),
    restricted: new AirtableRestrictedStore({ baseId: restrictedBaseId, transport: transport(restrictedBaseId) }),
    newTracker,
    stop: () => emulator.stop(),
  };
}

/** A field value as a person types it into Airtable: dates as YYYY-MM-DD. */
function staffValue(value: Row[string] | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return value as string | number | boolean;
}

/** A full cycle rig on the emulator: config, stores, a real outbox, captured logs. */
export async function airtableWorkspace(options: AirtableRigOptions & { config?: Partial<ConfigInput> } = {}) {
  const rig = await airtableRig(options);
  const parsed = parseConfig({
    store: {
      kind: 'airtable',
      baseId: rig.trackerBaseId,
      restrictedBaseId: rig.restrictedBaseId,
      endpointUrl: rig.endpointUrl,
    },
    mail: { kind: 'outbox', dir: 'unused' },
    contacts: CONTACTS,
    ...options.config,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  await runInit({ config, store: rig.tracker, restricted: rig.restricted });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-airtable-'));
  const outbox = new OutboxMailer({ dir: path.join(dir, 'outbox'), from: 'BUCP Tracker <bucp@localhost>' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });
  const templates = await MailTemplates.load();
  /** Adds records as staff would, only with the fields the table has (others are skipped, as a form would). */
  const addRows = (table: string, rows: readonly Row[], baseId = rig.trackerBaseId) => {
    const fields = new Set(
      (rig.emulator.tableSchema(baseId, table) as { fields: { name: string }[] }).fields.map((f) => f.name),
    );
    for (const row of rows) {
      const values = Object.fromEntries(
        Object.entries(row)
          .filter(([h, v]) => fields.has(h) && v !== undefined && v !== null && v !== '')
          .map(([h, v]) => [h, staffValue(v)]),
      );
      rig.emulator.addRecord(baseId, table, values);
    }
  };
  return {
    ...rig,
    config,
    outbox,
    logs,
    /** Every record of a tracker table in list order, fields by name. */
    records: (table: string) => rig.emulator.records(rig.trackerBaseId, table),
    addProposals: (rows: readonly Row[]) => addRows('Proposals', rows),
    addDisputes: (rows: readonly Row[]) => addRows('Disputes', rows),
    addTasks: (rows: readonly Row[]) => addRows('Tasks', rows),
    addRestricted: (rows: readonly Row[]) => addRows('Restricted', rows, rig.restrictedBaseId),
    run: (now: string, mailer: Mailer = outbox, dryRun = false) =>
      runCycle(
        { config, store: rig.tracker, restricted: rig.restricted, mailer, templates, logger },
        { now: localTime(now, config.timezone), dryRun },
      ),
  };
}
