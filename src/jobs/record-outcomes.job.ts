import { type ActivityEvent, stampAt } from '../core/activity.ts';
import { localTimestamp } from '../core/dates.ts';
import { foldEvents } from '../core/history.ts';
import type { SendOutcome } from '../core/ports.ts';
import { type SendRecord, outcomeEvents } from '../core/send-record.ts';
import { type ChatSendRecord, chatOutcomeEvents } from '../core/chat-record.ts';
import { type CycleDeps, readTracker } from './run-cycle.job.ts';

/**
 * What another sender (an n8n Send Email or HTTP Request node) did with one handed-over message or
 * chat post, and its record. Only a post can end `unknown`: its request went out and no answer came.
 */
export type HandoffOutcome =
  | { readonly record: SendRecord | ChatSendRecord; readonly status: 'sent'; readonly messageId: string }
  | {
      readonly record: SendRecord | ChatSendRecord;
      readonly status: 'failed';
      readonly error: string;
      readonly permanent: boolean;
    }
  | { readonly record: SendRecord | ChatSendRecord; readonly status: 'unknown'; readonly error: string };

export interface RecordedOutcome {
  readonly idempotencyKey: string;
  /**
   * `duplicate`: already on record as sent, so nothing was written again. `unknown`: this tracker
   * never handed it over (its Activity Log holds no claim for the key), so nothing was written.
   */
  readonly result: 'recorded' | 'duplicate' | 'unknown';
  readonly status: HandoffOutcome['status'];
  /** For a failure: whether it was recorded as permanent, and so waits out a backoff before a retry. */
  readonly permanent?: boolean;
}

export interface RecordReport {
  readonly recorded: RecordedOutcome[];
  readonly writes: { cellsWritten: number; rowsAppended: number };
}

/**
 * Records the outcomes of handed-over messages in the Activity Log, from the record each message
 * carried when it was handed over: nothing is planned again, so a message is recorded as it went out
 * even after midnight, or after staff changed or deleted its rows. Only lines are appended; the system
 * cells that depend on them (Next Reminder On, a dispute's Escalated To) follow at the next cycle.
 * Recording the same outcome twice writes nothing the second time.
 */
export async function recordOutcomes(
  deps: Pick<CycleDeps, 'config' | 'store' | 'logger'>,
  options: { readonly now: Date; readonly outcomes: readonly HandoffOutcome[] },
): Promise<RecordReport> {
  const { config, store, logger } = deps;
  // Read as a cycle reads; only the memory is needed: the claims and what is on record as sent.
  let { history } = await readTracker(deps, options.now);
  const stamp = stampAt(localTimestamp(options.now, config.timezone));
  const events: ActivityEvent[] = [];
  const recorded: RecordedOutcome[] = [];
  for (const outcome of options.outcomes) {
    const { record, status } = outcome;
    const key = record.idempotencyKey;
    if (history.notifications.sent.has(key)) {
      recorded.push({ idempotencyKey: key, result: 'duplicate', status });
      continue;
    }
    if (!history.notifications.intents.has(key)) {
      logger.warn({ key }, 'an outcome was given for a message this tracker never handed over; nothing recorded');
      recorded.push({ idempotencyKey: key, result: 'unknown', status });
      continue;
    }
    const sendOutcome: SendOutcome =
      outcome.status === 'sent'
        ? { status: 'sent', messageId: outcome.messageId }
        : outcome.status === 'unknown'
          ? { status: 'unknown', error: outcome.error }
          : { status: 'failed', error: outcome.error, permanent: outcome.permanent };
    // Applied as they are made: a second outcome for the same key in this batch is then a duplicate.
    const lines = (
      'channel' in record ? chatOutcomeEvents(record, sendOutcome) : outcomeEvents(record, sendOutcome)
    ).map(stamp);
    history = foldEvents(history, lines);
    events.push(...lines);
    logger.info({ key, kind: record.kind, status }, 'handed-over message recorded');
    recorded.push({
      idempotencyKey: key,
      result: 'recorded',
      status,
      ...(outcome.status === 'failed' ? { permanent: outcome.permanent } : {}),
    });
  }
  if (events.length === 0) return { recorded, writes: { cellsWritten: 0, rowsAppended: 0 } };
  const result = await store.write({ cells: [], appendActivity: events });
  return { recorded, writes: { cellsWritten: result.cellsWritten, rowsAppended: result.rowsAppended } };
}
