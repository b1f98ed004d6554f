import type { Config } from '../core/config.ts';
import { type ParsedTracker, planCycle } from '../core/cycle.ts';
import type { RestrictedStore, StoreCapacity, TrackerStore } from '../core/ports.ts';
import type { RowIssue } from '../core/schema.ts';
import { LayoutError, readTracker } from './run-cycle.job.ts';

export interface CheckReport {
  readonly ok: boolean;
  readonly layoutProblems: readonly string[];
  readonly rowIssues: readonly RowIssue[];
  readonly proposals: number;
  readonly disputes: number;
  /** How much of the store's hard limit is used, where it has one (the Activity Log grows into it). */
  readonly capacity: StoreCapacity | null;
}

/** Validates the workbook layout and the data as a cycle reads and plans them, writing and sending nothing. */
export async function runCheck(deps: {
  config: Config;
  store: TrackerStore;
  restricted: RestrictedStore;
  now: Date;
}): Promise<CheckReport> {
  const { config, store, now } = deps;
  // A restricted store that cannot be read is reported; the tracker is still checked as if it held no records.
  const restricted = await restrictedIds(deps.restricted);
  let tracker: ParsedTracker;
  try {
    tracker = await readTracker(deps, now);
  } catch (error) {
    if (!(error instanceof LayoutError)) throw error;
    return {
      ok: false,
      layoutProblems: [...error.problems, ...restricted.problems],
      rowIssues: [],
      proposals: 0,
      disputes: 0,
      capacity: error.capacity ?? null,
    };
  }
  const plan = planCycle(tracker, restricted.ids, { config, now, link: (t, id, r) => store.rowLink(t, id, r) });
  return {
    ok: restricted.problems.length === 0 && !plan.issues.some((i) => i.severity === 'error'),
    layoutProblems: restricted.problems,
    rowIssues: plan.issues,
    proposals: plan.proposals.records.length,
    disputes: plan.disputes.records.length,
    capacity: tracker.capacity ?? null,
  };
}

async function restrictedIds(restricted: RestrictedStore): Promise<{ ids: ReadonlySet<string>; problems: string[] }> {
  try {
    return { ids: await restricted.recordIds(), problems: [] };
  } catch (error) {
    return { ids: new Set(), problems: [(error as Error).message] };
  }
}
