// Live heap after each phase of a cycle, for finding where memory goes (node --expose-gc).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OAuth2Client } from 'google-auth-library';
import { parseConfig } from '../../src/core/config.ts';
import { planCycle, finishCycle } from '../../src/core/cycle.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { createSheetsClient } from '../../src/stores/google/transport.ts';

const size = Number(process.argv[2] ?? 100000);
const emulator = fork(fileURLToPath(new URL('./emulator-process.ts', import.meta.url)), {
  stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
});
const ask = (message: object, reply: string) =>
  new Promise<void>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === reply) {
        emulator.off('message', on);
        resolve();
      }
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
if (!parsed.ok) throw new Error('config');
const config = parsed.config;
const tracker = new GoogleSheetsTrackerStore({ spreadsheetId: 'bench-tracker', client });
const restricted = new GoogleSheetsRestrictedStore({ spreadsheetId: 'bench-restricted', client });
await runInit({ config, store: tracker, restricted });
await ask({ type: 'seed', count: size }, 'seeded');
const gc = (globalThis as { gc?: () => void }).gc!;
let prev = 0;
const mark = (label: string) => {
  gc();
  const h = process.memoryUsage().heapUsed / 1048576;
  console.log(
    `${label.padEnd(14)} heap ${h.toFixed(0)} MB (+${(h - prev).toFixed(0)})  rss ${(process.memoryUsage().rss / 1048576).toFixed(0)}  maxrss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)}`,
  );
  prev = h;
};
mark('start');
const snapshot = await tracker.read();
mark('read');
const ids = await restricted.recordIds();
mark('restricted');
const { parseProposals, parseDisputes } = await import('../../src/core/schema.ts');
const { buildHistory } = await import('../../src/core/history.ts');
const { parseActivity } = await import('../../src/core/activity.ts');
const { evaluate } = await import('../../src/core/evaluate.ts');
const { planNotifications } = await import('../../src/core/notifications.ts');
const { computeMetrics } = await import('../../src/core/metrics.ts');
const { calendarFor } = await import('../../src/core/cycle.ts');
const now = new Date('2026-11-23T16:00:00Z');
const today = '2026-11-23';
const calendar = calendarFor(config);
let t = performance.now();
const lap = () => {
  const d = performance.now() - t;
  t = performance.now();
  return `${d.toFixed(0)} ms`;
};
const proposals = parseProposals(snapshot.proposals, { today, departments: config.departments });
const pt = lap();
mark('parse');
console.log('  parse', pt);
const disputes = parseDisputes(
  snapshot.disputes,
  { today, departments: config.departments },
  new Set(proposals.records.map((p) => p.bucpId)),
);
const history = buildHistory(parseActivity(snapshot.activity));
lap();
const evaluation = evaluate({
  proposals: proposals.records,
  disputes: disputes.records,
  restrictedIds: ids,
  history,
  today,
  calendar,
  config,
});
const et = lap();
mark('evaluate');
console.log('  evaluate', et);
const notes = planNotifications({
  evaluation,
  history,
  calendar,
  config,
  link: (tb, id, r) => tracker.rowLink(tb, id, r),
});
const nt = lap();
mark('notify');
console.log('  notify', nt, notes.length);
const metrics = computeMetrics({ evaluation, proposals: proposals.records, history, calendar, unaddressableRows: 0 });
const mt = lap();
mark('metrics');
console.log('  metrics', mt);
const plan = planCycle(snapshot, ids, { config, now, link: (tb, id, r) => tracker.rowLink(tb, id, r) });
const out = finishCycle(plan, config);
void metrics;
void notes;
const keep = [snapshot, plan, out, ids];
void keep;
process.exit(0);
