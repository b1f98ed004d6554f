// One benchmark run in a fresh process: a full cycle on `size` proposals against the emulator,
// with the service's own store ("batched") or a naive per-row writer ("per-row"), or the cycle of the
// next business day after a first sync that another process ran ("next-day"). Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { columnLetter } from '../../src/core/layout.ts';
import type { Mailer, WritePlan, WriteResult } from '../../src/core/ports.ts';
import { isoDateToSerial } from '../../src/core/dates.ts';
import { runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { quoteTab } from '../../src/stores/google/a1.ts';
import type { SheetsClient } from '../../src/stores/google/transport.ts';
import { FIRST_DAY, NEXT_DAY, TRACKER_ID, benchTracker } from './bench-tracker.ts';

const [size = 1000, mode = 'batched', attachTo] = [Number(process.argv[2]), process.argv[3], process.argv[4]];

/**
 * The common Apps Script and per-item workflow pattern: the same cycle, but one values.update per
 * changed row. Activity Log lines and summary tabs are written as the real store writes them.
 */
class PerRowStore extends GoogleSheetsTrackerStore {
  private readonly api: SheetsClient['api'];
  constructor(c: SheetsClient) {
    super({ spreadsheetId: TRACKER_ID, client: c });
    this.api = c.api;
  }
  override async write(plan: WritePlan): Promise<WriteResult> {
    const rest = await super.write({ ...plan, cells: [] });
    if (plan.cells.length === 0) return rest;
    const header = ((await this.api.spreadsheets.values.get({ spreadsheetId: TRACKER_ID, range: "'Proposals'!1:1" }))
      .data.values ?? [[]])[0]!.map(String);
    const ids = (
      (await this.api.spreadsheets.values.get({ spreadsheetId: TRACKER_ID, range: "'Proposals'!A:A" })).data.values ??
      []
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
        spreadsheetId: TRACKER_ID,
        range: `${quoteTab('Proposals')}!${columnLetter(first + 1)}${row}:${columnLetter(last + 1)}${row}`,
        valueInputOption: 'RAW',
        requestBody: { values: [values] },
      });
    }
    return { ...rest, cellsWritten: plan.cells.reduce((n, w) => n + Object.keys(w.values).length, 0) };
  }
}

// The process holds what the service's does: the CLI and the libraries it loads (the Google store's
// own modules are imported above), so its peak RSS is the service's.
await import('../../src/cli/main.ts');

const {
  config,
  tracker,
  restricted,
  seed,
  stats: emulatorStats,
  resetStats,
  rootUrl,
  stop,
} = await benchTracker(
  (client) =>
    mode === 'per-row' ? new PerRowStore(client) : new GoogleSheetsTrackerStore({ spreadsheetId: TRACKER_ID, client }),
  attachTo,
);
if (!attachTo) await seed(size);
if (mode === 'next-day') {
  // The first sync runs in a process of its own, so this one measures only the next day's cycle.
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(size), 'first-sync', rootUrl], {
    stdio: 'ignore',
  });
  await resetStats();
}

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
  { now: mode === 'next-day' ? NEXT_DAY : FIRST_DAY },
);
const wallMs = performance.now() - started;
// The first sync a "next-day" run stands on: the state it leaves in the emulator is its result.
if (attachTo) process.exit(report.ok ? 0 : 1);
const used = process.cpuUsage(cpu);
const stats = await emulatorStats();
stop();
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
