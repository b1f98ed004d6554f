import type { Config } from '../core/config.ts';
import { parseTracker, planParsed } from '../core/cycle.ts';
import type { RestrictedStore, StoreCapacity, TrackerStore } from '../core/ports.ts';
import type { RowIssue } from '../core/schema.ts';

export interface CheckReport {
  readonly ok: boolean;
  readonly layoutProblems: readonly string[];
  readonly rowIssues: readonly RowIssue[];
  readonly proposals: number;
  readonly disputes: number;
  /** How much of the store's hard limit is used, where it has one (the Activity Log grows into it). */
  readonly capacity: StoreCapacity | null;
}

/** Validates the workbook layout and the data without writing or sending anything. */
export async function runCheck(deps: {
  config: Config;
  store: TrackerStore;
  restricted: RestrictedStore;
  now: Date;
}): Promise<CheckReport> {
  const context = { config: deps.config, now: deps.now, link: () => '' };
  const snapshot = await deps.store.read();
  const layoutProblems = [...snapshot.layoutProblems];
  let restrictedIds: ReadonlySet<string> = new Set();
  try {
    restrictedIds = await deps.restricted.recordIds();
  } catch (error) {
    layoutProblems.push((error as Error).message);
  }
  if (snapshot.layoutProblems.length > 0) {
    return { ok: false, layoutProblems, rowIssues: [], proposals: 0, disputes: 0, capacity: snapshot.capacity ?? null };
  }
  const plan = planParsed(parseTracker(snapshot, context), restrictedIds, context);
  return {
    ok: layoutProblems.length === 0 && !plan.issues.some((i) => i.severity === 'error'),
    layoutProblems,
    rowIssues: plan.issues,
    proposals: plan.proposals.records.length,
    disputes: plan.disputes.records.length,
    capacity: snapshot.capacity ?? null,
  };
}
