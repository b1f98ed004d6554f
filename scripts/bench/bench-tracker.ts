// What every benchmark run sets up: the Sheets emulator in a process of its own, a Sheets client and a
// config pointed at it, and the tracker provisioned by `bucp init`.
import { fork } from 'node:child_process';
import { OAuth2Client } from 'google-auth-library';
import { type Config, parseConfig } from '../../src/core/config.ts';
import type { TrackerStore } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { packagePath } from '../../src/package-root.ts';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { type SheetsClient, createSheetsClient } from '../../src/stores/google/transport.ts';

export const TRACKER_ID = 'bench-tracker';
/** The day of every benchmark's first sync (a Monday), and the next business day's cycle after it. */
export const FIRST_DAY = new Date('2026-11-23T16:00:00Z');
export const NEXT_DAY = new Date('2026-11-24T16:00:00Z');
const RESTRICTED_ID = 'bench-restricted';

export interface EmulatorStats {
  readonly calls: number;
  readonly byApi: Record<string, number>;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface BenchTracker {
  readonly client: SheetsClient;
  readonly config: Config;
  readonly tracker: TrackerStore & GoogleSheetsTrackerStore;
  readonly restricted: GoogleSheetsRestrictedStore;
  /** Fills the Proposals tab (and the restricted one) with `count` rows as staff would type them. */
  seed(count: number): Promise<void>;
  /** The emulator's call counts and bytes since the seed. */
  stats(): Promise<EmulatorStats>;
  /** Starts the call counts and bytes again from zero. */
  resetStats(): Promise<void>;
  /** Where the emulator listens, for another process to attach to. */
  readonly rootUrl: string;
  /** Ends the emulator outright: its state is thrown away. */
  stop(): void;
}

export async function benchTracker(
  makeTracker: (client: SheetsClient) => GoogleSheetsTrackerStore = (client) =>
    new GoogleSheetsTrackerStore({ spreadsheetId: TRACKER_ID, client }),
  /** The address of an emulator another process runs: its tracker is used as it stands. */
  attachTo?: string,
): Promise<BenchTracker> {
  const emulator = attachTo ? null : startEmulator();
  const ask = <T>(message: object, reply: string) =>
    new Promise<T>((resolve, reject) => {
      if (!emulator) return reject(new Error('The emulator belongs to another process'));
      const on = (m: { type: string }) => {
        if (m.type !== reply) return;
        emulator.off('message', on);
        resolve(m as T);
      };
      emulator.on('message', on);
      emulator.send(message);
    });
  const rootUrl =
    attachTo ??
    (
      await new Promise<{ rootUrl: string }>((resolve) =>
        emulator!.once('message', (m: { rootUrl: string }) => resolve(m)),
      )
    ).rootUrl;
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'bench-token', expiry_date: Date.now() + 3_600_000 });
  const client = createSheetsClient({ authClient: auth, rootUrl });
  const parsed = parseConfig({
    store: { kind: 'google-sheets', spreadsheetId: TRACKER_ID, restrictedSpreadsheetId: RESTRICTED_ID, rootUrl },
    mail: { kind: 'outbox', dir: 'unused' },
    contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const tracker = makeTracker(client);
  const restricted = new GoogleSheetsRestrictedStore({ spreadsheetId: RESTRICTED_ID, client });
  if (!attachTo) await runInit({ config: parsed.config, store: tracker, restricted });
  return {
    client,
    config: parsed.config,
    tracker,
    restricted,
    seed: (count) => ask({ type: 'seed', count }, 'seeded'),
    stats: () => ask<EmulatorStats>({ type: 'stats' }, 'stats'),
    resetStats: async () => {
      await ask({ type: 'reset' }, 'reset');
    },
    rootUrl,
    stop: () => emulator?.kill('SIGKILL'),
  };
}

function startEmulator() {
  const emulator = fork(packagePath('scripts/bench/emulator-process.ts'), {
    // The emulator stands in for Google: it runs with Node's defaults, not the Node flags under test.
    execArgv: [],
    // Ignored stdio: a grandchild holding the output pipe would keep the parent's execFileSync waiting.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  process.on('exit', () => emulator.kill('SIGKILL'));
  return emulator;
}
