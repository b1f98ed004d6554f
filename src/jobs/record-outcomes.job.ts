import { type ActivityEvent, stampAt } from '../core/activity.ts';
import { finishCycle } from '../core/cycle.ts';
import { foldEvents } from '../core/history.ts';
import { outcomeEvents } from '../core/notifications.ts';
import type { SendOutcome } from '../core/ports.ts';
import { type CycleDeps, readAndPlan } from './run-cycle.job.ts';

/** What another sender (an n8n Send Email node) did with one handed-over message. */
export type HandoffOutcome =
  | { readonly idempotencyKey: string; readonly status: 'sent'; readonly messageId: string }
  | { readonly idempotencyKey: string; readonly status: 'failed'; readonly error: string; readonly permanent: boolean };

export interface RecordedOutcome {
  readonly idempotencyKey: string;
  /** `duplicate`: already on record, so nothing was written again. `unknown`: never planned. */
  readonly result: 'recorded' | 'duplicate' | 'unknown';
  readonly status: HandoffOutcome['status'];
}

export interface RecordReport {
  readonly recorded: RecordedOutcome[];
  readonly writes: { cellsWritten: number; rowsAppended: number };
}

/**
 * Records the outcomes of handed-over messages in the Activity Log, with what the repeat rules
 * remember of a sent one, then syncs the system cells that depend on it. Recording the same
 * outcome twice writes nothing the second time.
 */
export async function recordOutcomes(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted' | 'logger'>,
  options: { readonly now: Date; readonly outcomes: readonly HandoffOutcome[] },
): Promise<RecordReport> {
  const { config, store, logger } = deps;
  const plan = await readAndPlan(deps, options);
  const planned = new Map(plan.notifications.map((n) => [n.key, n]));
  const stamp = stampAt(plan.timestamp);
  let history = plan.history;
  const events: ActivityEvent[] = [];
  const recorded: RecordedOutcome[] = [];
  for (const outcome of options.outcomes) {
    const key = outcome.idempotencyKey;
    const notification = planned.get(key);
    if (history.notifications.sent.has(key)) {
      recorded.push({ idempotencyKey: key, result: 'duplicate', status: outcome.status });
      continue;
    }
    if (!notification) {
      logger.warn({ key }, 'an outcome was given for a message that was never planned; nothing recorded');
      recorded.push({ idempotencyKey: key, result: 'unknown', status: outcome.status });
      continue;
    }
    const sendOutcome: SendOutcome =
      outcome.status === 'sent'
        ? { status: 'sent', messageId: outcome.messageId }
        : { status: 'failed', error: outcome.error, permanent: outcome.permanent };
    const lines = outcomeEvents(notification, sendOutcome, plan.today).map(stamp);
    history = foldEvents(history, lines);
    events.push(...lines);
    logger.info({ key, kind: notification.kind, status: outcome.status }, 'handed-over message recorded');
    recorded.push({ idempotencyKey: key, result: 'recorded', status: outcome.status });
  }
  const outcome = finishCycle(plan, history, config);
  const result = await store.write({
    cells: outcome.cells,
    appendActivity: [...plan.events, ...events],
    issues: plan.issues,
  });
  return { recorded, writes: { cellsWritten: result.cellsWritten, rowsAppended: result.rowsAppended } };
}
