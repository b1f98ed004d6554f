// node --expose-gc scripts/bench/phase-memory.ts [proposals] [first-sync|next-day]
// The live heap (after a forced GC) and the time after each step of a cycle's planning on `proposals`
// rows (the steps planParsed reports), for finding where memory goes: the first sync, or the cycle of
// the next business day (after a first sync run by another process). Not part of the tests.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { finishCycle, parseTracker, planParsed, settleBasis } from '../../src/core/cycle.ts';
import { FIRST_DAY, NEXT_DAY, benchTracker } from './bench-tracker.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with node --expose-gc');
const size = Number(process.argv[2] ?? 100_000);
const nextDay = process.argv[3] === 'next-day';
const bench = await benchTracker();
await bench.seed(size);
const { config, tracker, restricted } = bench;
if (nextDay) {
  const cycle = fileURLToPath(new URL('./cycle-process.ts', import.meta.url));
  execFileSync(process.execPath, [cycle, String(size), 'first-sync', bench.rootUrl], { stdio: 'ignore' });
}
const now = nextDay ? NEXT_DAY : FIRST_DAY;
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
// As in a cycle, the snapshot lives only in the function that reads and parses it.
const parsed = await (async () => {
  const snapshot = await tracker.read();
  step('read');
  return parseTracker(snapshot, { config, now });
})();
step('parse');
const restrictedIds = await restricted.recordIds();
step('restricted IDs');
// The plan as a cycle makes it, measured after each of its steps, then its cells.
const plan = planParsed(parsed, restrictedIds, { config, now, link, onStep: step });
const basis = settleBasis(plan);
step('settle basis');
const outcome = finishCycle(basis, config);
step(`${outcome.cells.length} cell writes`);
// Everything above stays reachable until here, as it would in one cycle.
console.log(`kept: ${[parsed, plan, basis, outcome].length} results`);
bench.stop();
process.exit(0);
