import { type SheetRow, cellText } from './cells.ts';
import { type IsoDate, parseDateCell } from './dates.ts';

export const ACTIVITY_KINDS = [
  'first-seen',
  'stage-change',
  'stage-since-change',
  'level-first-seen',
  'level-change',
  'level-since-change',
  'notification-intent',
  'notification-sent',
  'notification-failed',
  'notification-unknown',
  'reminder-sent',
  'escalation-sent',
  'dispute-escalation-sent',
  'row-issue',
  'job-run',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** One line of the append-only Activity Log. */
export interface ActivityEvent {
  /** When it happened, an ISO timestamp with the zone offset; its date part is the local day. */
  readonly at: string;
  /** The calendar date it concerns: the day a stage began, or the day a reminder went out. */
  readonly on: IsoDate;
  readonly bucpId: string;
  readonly disputeId: string;
  readonly kind: ActivityKind;
  readonly from: string;
  readonly to: string;
  readonly detail: string;
  readonly key: string;
}

/** Gives events the time they are recorded at: one timestamp for everything a cycle records. */
export function stampAt(at: string): (event: Omit<ActivityEvent, 'at'>) => ActivityEvent {
  return (event) => ({
    at,
    on: event.on,
    bucpId: event.bucpId,
    disputeId: event.disputeId,
    kind: event.kind,
    from: event.from,
    to: event.to,
    detail: event.detail,
    key: event.key,
  });
}

export const ACTIVITY_HEADERS = [
  'At',
  'On',
  'BUCP ID',
  'Dispute ID',
  'Kind',
  'From',
  'To',
  'Detail',
  'Idempotency Key',
] as const;

export function activityRow(event: ActivityEvent): string[] {
  return [event.at, event.on, event.bucpId, event.disputeId, event.kind, event.from, event.to, event.detail, event.key];
}

/** How many of the latest line times a repeated line is looked for under. */
const RECENT_TIMES = 8;

/**
 * Reads Activity Log lines one at a time (a big log has hundreds of thousands; the history keeps what
 * it needs of each). Lines a person typed or damaged are skipped, never trusted: the log is the
 * service's memory, and a guess there could send an email twice.
 */
export class ActivityLineReader {
  private readonly kinds = new Set<string>(ACTIVITY_KINDS);
  /** The keys of the lines read, by time and kind, for the last few times only (see `read`). */
  private readonly seen = new Map<string, Map<string, Set<string>>>();

  /** The event a line records, or null for a damaged line or a repeat of one already read. */
  read(row: SheetRow): ActivityEvent | null {
    const kind = cellText(row.cells.Kind);
    const on = parseDateCell(row.cells.On ?? null);
    const at = cellText(row.cells.At);
    if (!this.kinds.has(kind) || !on?.ok || at === '') return null;
    const key = cellText(row.cells['Idempotency Key']);
    // A line repeated by a retried append (same kind, key and time) is the same event. A retried append
    // repeats lines of its own cycle, which all carry the cycle's time, right after the first copy: so
    // repeats are looked for among the lines of the last few times only, and a log of years is not
    // remembered line by line.
    let kinds = this.seen.get(at);
    if (!kinds) {
      if (this.seen.size >= RECENT_TIMES) this.seen.delete(this.seen.keys().next().value!);
      kinds = new Map();
      this.seen.set(at, kinds);
    }
    let keys = kinds.get(kind);
    if (!keys) {
      keys = new Set();
      kinds.set(kind, keys);
    }
    if (keys.has(key)) return null;
    keys.add(key);
    return {
      at,
      on: on.date,
      bucpId: cellText(row.cells['BUCP ID']),
      disputeId: cellText(row.cells['Dispute ID']),
      kind: kind as ActivityKind,
      from: cellText(row.cells.From),
      to: cellText(row.cells.To),
      detail: cellText(row.cells.Detail),
      key,
    };
  }
}

/** The local day of an event's timestamp. */
export function dayOf(at: string): IsoDate {
  return at.slice(0, 10);
}
