// node --expose-gc scripts/bench/phase-memory.ts [proposals]
// The live heap (after a forced GC) and the time after each step of a cycle's planning on `proposals`
// rows, for finding where memory goes. Not part of the tests.
import { parseActivity } from '../../src/core/activity.ts';
import { calendarFor, finishCycle } from '../../src/core/cycle.ts';
import { localDate } from '../../src/core/dates.ts';
import { evaluate } from '../../src/core/evaluate.ts';
import { buildHistory } from '../../src/core/history.ts';
import { computeMetrics } from '../../src/core/metrics.ts';
import { planNotifications } from '../../src/core/notifications.ts';
import { parseDisputes, parseProposals } from '../../src/core/schema.ts';
import { planCycle } from '../../src/core/cycle.ts';
import { benchTracker } from './bench-tracker.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with node --expose-gc');
const size = Number(process.argv[2] ?? 100_000);
const bench = await benchTracker();
await bench.seed(size);
const { config, tracker, restricted } = bench;
const now = new Date('2026-11-23T16:00:00Z');
const today = localDate(now, config.timezone);
const calendar = calendarFor(config);
const link = (tab: string, id: string, row: number) => tracker.rowLink(tab, id, row);

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
let heapBefore = 0;
let started = performance.now();
/** Measures one step: its time, then the live heap it added. */
function step(label: string): void {
  const ms = performance.now() - started;
  gc!();
  const heap = process.memoryUsage().heapUsed;
  console.log(
    `${label.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms   heap ${mb(heap).padStart(7)} (+${mb(heap - heapBefore)})   peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
  );
  heapBefore = heap;
  started = performance.now();
}

step('start');
const snapshot = await tracker.read();
step('read');
const restrictedIds = await restricted.recordIds();
step('restricted IDs');
const proposals = parseProposals(snapshot.proposals, { today, departments: config.departments });
step('parse proposals');
const disputes = parseDisputes(
  snapshot.disputes,
  { today, departments: config.departments },
  new Set(proposals.records.map((p) => p.bucpId)),
);
const history = buildHistory(parseActivity(snapshot.activity));
step('disputes, history');
const evaluation = evaluate({
  proposals: proposals.records,
  disputes: disputes.records,
  restrictedIds,
  history,
  today,
  calendar,
  config,
});
step('evaluate');
const notifications = planNotifications({ evaluation, history, calendar, config, link });
step(`plan ${notifications.length} messages`);
const metrics = computeMetrics({ evaluation, proposals: proposals.records, history, calendar, unaddressableRows: 0 });
step('metrics');
// The whole plan again as a cycle makes it (transitions applied to the memory), then its cells.
const plan = planCycle(snapshot, restrictedIds, { config, now, link });
step('planCycle');
const outcome = finishCycle(plan, config);
step(`${outcome.cells.length} cell writes`);
// Everything above stays reachable until here, as it would in one cycle.
console.log(`kept: ${[snapshot, proposals, evaluation, notifications, metrics, plan, outcome].length} steps`);
bench.stop();
process.exit(0);
