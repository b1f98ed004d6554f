import { type SheetRow, cellText } from './cells.ts';
import { z } from 'zod/v4';
import { ACTIVITY_COLUMNS } from './contract.ts';
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
  'disposition-escalation-sent',
  'liaison-notice-sent',
  'notice-baseline',
  'task-reminder-sent',
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
  /** What the memory needs of the line beyond its columns, as data (the Data column holds it as JSON). */
  readonly data?: ActivityData;
}

/**
 * The structured part of a line. The Detail column is for people; nothing is read back out of it but
 * on lines written before the Data column existed (see `legacyData`).
 */
export interface ActivityData {
  /** A next-action reminder: the due date it was about (a new due date starts the repeat afresh). */
  readonly due?: IsoDate;
  /** A task reminder: the Task ID it was about (the Activity Log has no column for it). */
  readonly taskId?: string;
  /** A failed send: the relay refused it for good (5xx), so it waits out a backoff before a retry. */
  readonly permanent?: boolean;
  /** A failed send: the error, as the Issues tab quotes it. */
  readonly error?: string;
  /** A renewal, disposition or escalation line: the End Date it was about (a new End Date starts afresh). */
  readonly end?: IsoDate;
  /** A renewal reminder: the point it was, in calendar days before the End Date. */
  readonly point?: number;
  /** A filing reminder or filing baseline: the Approved On it was about. */
  readonly approved?: IsoDate;
}

const ActivityDataSchema = z.strictObject({
  due: z.iso.date().optional(),
  end: z.iso.date().optional(),
  point: z.number().int().optional(),
  approved: z.iso.date().optional(),
  taskId: z.string().optional(),
  permanent: z.boolean().optional(),
  error: z.string().optional(),
});

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
    ...(event.data ? { data: event.data } : {}),
  });
}

/** The Activity Log's headers, in the column contract's order: `activityRow` writes its cells in it. */
export const ACTIVITY_HEADERS: readonly string[] = ACTIVITY_COLUMNS.map((c) => c.header);

export function activityRow(event: ActivityEvent): string[] {
  return [
    event.at,
    event.on,
    event.bucpId,
    event.disputeId,
    event.kind,
    event.from,
    event.to,
    event.detail,
    event.key,
    event.data ? JSON.stringify(event.data) : '',
  ];
}

/** How many of the latest line times a repeated line is looked for under. */
const RECENT_TIMES = 8;

/**
 * The events of the Activity Log's lines, oldest first. Lines a person typed or damaged are skipped,
 * never trusted: the log is the service's memory, and a guess there could send an email twice.
 */
export function readActivityLog(rows: readonly SheetRow[]): ActivityEvent[] {
  const events: ActivityEvent[] = [];
  // A line repeated by a retried append (same kind, key and time) is the same event. A retried append
  // repeats lines of its own cycle, which all carry the cycle's time, right after the first copy: so
  // repeats are looked for among the lines of the last few times only.
  const recent = new Map<string, Set<string>>();
  const read = activityLineReader();
  for (const row of rows) {
    const event = read(row);
    if (!event) continue;
    let seen = recent.get(event.at);
    if (!seen) {
      if (recent.size >= RECENT_TIMES) recent.delete(recent.keys().next().value!);
      seen = new Set();
      recent.set(event.at, seen);
    }
    const id = `${event.kind}\n${event.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    events.push(event);
  }
  return events;
}

/**
 * Reads lines into events, or null for a damaged line. A log holds thousands of lines over a few
 * hundred days and a couple of dozen kinds, so each distinct day and kind is checked once per read.
 */
function activityLineReader(): (row: SheetRow) => ActivityEvent | null {
  const kinds: ReadonlySet<string> = new Set(ACTIVITY_KINDS);
  const days = new Map<unknown, IsoDate | null>();
  const dayOfCell = (value: unknown): IsoDate | null => {
    let day = days.get(value);
    if (day === undefined) {
      const parsed = parseDateCell(value);
      day = parsed?.ok ? parsed.date : null;
      days.set(value, day);
    }
    return day;
  };
  return (row) => readActivityLine(row, (kind): kind is ActivityKind => kinds.has(kind), dayOfCell);
}

/** The event one line records, or null for a damaged line. */
function readActivityLine(
  row: SheetRow,
  isActivityKind: (kind: string) => kind is ActivityKind,
  dayOfCell: (value: unknown) => IsoDate | null,
): ActivityEvent | null {
  const kind = cellText(row.cells.Kind);
  const on = dayOfCell(row.cells.On ?? null);
  const at = cellText(row.cells.At);
  if (!isActivityKind(kind) || on === null || at === '') return null;
  const from = cellText(row.cells.From);
  const detail = cellText(row.cells.Detail);
  const dataText = cellText(row.cells.Data);
  let data: ActivityData | undefined;
  if (dataText === '') data = legacyData(kind, from, detail);
  else {
    const parsed = ActivityDataSchema.safeParse(parseJson(dataText));
    if (!parsed.success) return null;
    data = parsed.data;
  }
  return {
    at,
    on,
    bucpId: cellText(row.cells['BUCP ID']),
    disputeId: cellText(row.cells['Dispute ID']),
    kind,
    from,
    to: cellText(row.cells.To),
    detail,
    key: cellText(row.cells['Idempotency Key']),
    ...(data ? { data } : {}),
  };
}

/**
 * The data of a line written before the Data column: the one place the old Detail prose is read.
 * A next-action reminder said "due YYYY-MM-DD: action"; a failed send said "permanent: error".
 */
function legacyData(kind: ActivityKind, from: string, detail: string): ActivityData | undefined {
  if (kind === 'reminder-sent' && from === 'next-action') {
    const due = /^due (\d{4}-\d{2}-\d{2})/.exec(detail)?.[1];
    return due ? { due } : undefined;
  }
  if (kind === 'notification-failed') {
    const [, prefix, error] = /^(?:(permanent|temporary): )?(.*)$/s.exec(detail)!;
    return { permanent: prefix === 'permanent', error };
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The local day of an event's timestamp. */
export function dayOf(at: string): IsoDate {
  return at.slice(0, 10);
}
