// One benchmark run in a fresh process: a full cycle on `size` proposals against the emulator,
// with the service's own store ("batched") or a naive per-row writer ("per-row"). Prints one JSON line.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OAuth2Client } from 'google-auth-library';
import { parseConfig } from '../../src/core/config.ts';
import { columnLetter } from '../../src/core/layout.ts';
import type { Mailer, WritePlan, WriteResult } from '../../src/core/ports.ts';
import { isoDateToSerial } from '../../src/core/dates.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import {
  GoogleSheetsRestrictedStore,
  GoogleSheetsTrackerStore,
  quoteTab,
} from '../../src/stores/google-sheets-store.ts';
import { type SheetsClient, createSheetsClient } from '../../src/stores/google/transport.ts';

const [size = 1000, mode = 'batched'] = [Number(process.argv[2]), process.argv[3]];

const emulator = fork(fileURLToPath(new URL('./emulator-process.ts', import.meta.url)), {
  // Ignored stdio: a grandchild holding the output pipe would keep the parent's execFileSync waiting.
  stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
});
const ask = <T>(message: object, reply: string) =>
  new Promise<T>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== reply) return;
      emulator.off('message', on);
      resolve(m as T);
    };
    emulator.on('message', on);
    emulator.send(message);
  });
const { rootUrl } = await new Promise<{ rootUrl: string }>((resolve) =>
  emulator.once('message', (m: { rootUrl: string }) => resolve(m)),
);

process.on('exit', () => emulator.kill('SIGKILL'));

const auth = new OAuth2Client();
auth.setCredentials({ access_token: 'bench-token', expiry_date: Date.now() + 3_600_000 });
const client = createSheetsClient({ authClient: auth, rootUrl });

/**
 * The common Apps Script and per-item workflow pattern: the same cycle, but one values.update per
 * changed row. Activity Log lines and summary tabs are written as the real store writes them.
 */
class PerRowStore extends GoogleSheetsTrackerStore {
  private readonly api: SheetsClient['api'];
  constructor(c: SheetsClient) {
    super({ spreadsheetId: 'bench-tracker', client: c });
    this.api = c.api;
  }
  override async write(plan: WritePlan): Promise<WriteResult> {
    const rest = await super.write({ ...plan, cells: [] });
    if (plan.cells.length === 0) return rest;
    const header = ((
      await this.api.spreadsheets.values.get({ spreadsheetId: 'bench-tracker', range: "'Proposals'!1:1" })
    ).data.values ?? [[]])[0]!.map(String);
    const ids = (
      (await this.api.spreadsheets.values.get({ spreadsheetId: 'bench-tracker', range: "'Proposals'!A:A" })).data
        .values ?? []
    ).map((r) => String(r[0] ?? ''));
    const first = header.indexOf('Stage Since');
    const last = header.length - 1;
    for (const write of plan.cells.filter((w) => w.tab === 'Proposals')) {
      const row = ids.indexOf(write.id) + 1;
      const values = header.slice(first).map((h) => {
        const v = write.values[h];
        if (!v) return null; // null leaves a cell as it is
        return v.kind === 'blank' ? '' : v.kind === 'date' ? isoDateToSerial(v.value) : v.value;
      });
      await this.api.spreadsheets.values.update({
        spreadsheetId: 'bench-tracker',
        range: `${quoteTab('Proposals')}!${columnLetter(first + 1)}${row}:${columnLetter(last + 1)}${row}`,
        valueInputOption: 'RAW',
        requestBody: { values: [values] },
      });
    }
    return { ...rest, cellsWritten: plan.cells.reduce((n, w) => n + Object.keys(w.values).length, 0) };
  }
}

const parsed = parseConfig({
  store: {
    kind: 'google-sheets',
    spreadsheetId: 'bench-tracker',
    restrictedSpreadsheetId: 'bench-restricted',
    rootUrl,
  },
  mail: { kind: 'outbox', dir: 'unused' },
  contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const config = parsed.config;
const tracker =
  mode === 'per-row'
    ? new PerRowStore(client)
    : new GoogleSheetsTrackerStore({ spreadsheetId: 'bench-tracker', client });
const restricted = new GoogleSheetsRestrictedStore({ spreadsheetId: 'bench-restricted', client });
await runInit({ config, store: tracker, restricted });
await ask({ type: 'seed', count: size }, 'seeded');

// Messages are rendered as in a real cycle, then dropped: the benchmark measures the tracker, not mail.
let messages = 0;
const mailer: Mailer = {
  kind: 'null',
  describe: () => 'null',
  close: async () => {},
  send: async (m) => {
    messages += 1;
    return { status: 'sent', messageId: m.key };
  },
};
const templates = await MailTemplates.load();
const logger = createLogger({ level: 'silent' });
const cpu = process.cpuUsage();
const started = performance.now();
const report = await runCycle(
  { config, store: tracker, restricted, mailer, templates, logger },
  { now: new Date('2026-11-23T16:00:00Z') },
);
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const stats = await ask<{ calls: number; byApi: object; bytesIn: number; bytesOut: number }>(
  { type: 'stats' },
  'stats',
);
// Ended outright: the emulator's state is thrown away, and it must not hold the output pipe open.
emulator.kill('SIGKILL');
process.stdout.write(
  `${JSON.stringify({
    size,
    mode,
    calls: stats.calls,
    byApi: stats.byApi,
    bytesSent: stats.bytesIn,
    bytesReceived: stats.bytesOut,
    cpuMs: Math.round((used.user + used.system) / 1000),
    userMs: Math.round(used.user / 1000),
    systemMs: Math.round(used.system / 1000),
    wallMs: Math.round(wallMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    proposals: report.proposals.total,
    cellsWritten: report.writes.cellsWritten,
    messages,
  })}\n`,
);
process.exit(0);
