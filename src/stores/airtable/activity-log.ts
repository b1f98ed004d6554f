import { type ActivityEvent, activityRow, dayOf } from '../../core/activity.ts';
import type { CellValue, SheetRow } from '../../core/cells.ts';
import { ACTIVITY_COLUMNS } from '../../core/contract.ts';
import { ACTIVITY_FIELDS } from './tables.ts';

/**
 * The Activity Log, packed. Airtable counts records against the base's plan limit, and a line per
 * event would spend a Team base in months, so one record holds the lines of one day: each line is the
 * JSON array of its columns (`activityRow`), one per line of a long text field. A day whose lines pass
 * PACKED_RECORD_CHARS goes on in a second record of that day, and so on. Reading unpacks them into the
 * same Activity Log table the other stores give, line by line, oldest first. See the README for the
 * arithmetic.
 */

/** Airtable's long text field holds 100,000 characters; a record is closed a little before. */
export const PACKED_RECORD_CHARS = 95_000;

const HEADERS = ACTIVITY_COLUMNS.map((c) => c.header);

/** One Activity Log record as read: its day, its part within the day, and its text. */
export interface PackedRecord {
  readonly id: string;
  readonly day: string;
  readonly part: number;
  readonly text: string;
}

export const batchKey = (day: string, part: number): string => `${day} #${String(part).padStart(3, '0')}`;

/** A record as listed, or null when it is no Activity Log record (a person typed something else). */
export function packedRecord(record: { id: string; fields: Record<string, unknown> }): PackedRecord | null {
  const key = String(record.fields[ACTIVITY_FIELDS.key] ?? '');
  const match = /^(\d{4}-\d{2}-\d{2}) #(\d+)$/.exec(key);
  if (!match) return null;
  const text = String(record.fields[ACTIVITY_FIELDS.lines] ?? '');
  return { id: record.id, day: match[1]!, part: Number(match[2]), text };
}

/** Records in log order: by day, then part; records of the same key keep the order they were listed in. */
export function inLogOrder(records: readonly PackedRecord[]): PackedRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.day.localeCompare(b.r.day) || a.r.part - b.r.part || a.i - b.i)
    .map(({ r }) => r);
}

/** The lines of the records, as the rows of an Activity Log tab (row numbers as if each line were a row). */
export function unpackLines(records: readonly PackedRecord[]): SheetRow[] {
  const rows: SheetRow[] = [];
  for (const record of records) {
    for (const line of record.text.split('\n')) {
      const values = parseLine(line);
      if (!values) continue;
      const cells: Record<string, CellValue> = {};
      HEADERS.forEach((h, i) => {
        const v = values[i];
        cells[h] = v === undefined || v === null || v === '' ? null : String(v);
      });
      rows.push({ rowNumber: rows.length + 2, cells });
    }
  }
  return rows;
}

function parseLine(line: string): unknown[] | null {
  if (line.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(line);
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export const packLine = (event: ActivityEvent): string => JSON.stringify(activityRow(event));

/** What an append sends: the last record grown (a PATCH of its whole text), and new records. */
export interface AppendPlan {
  readonly update?: { readonly id: string; readonly day: string; readonly part: number; readonly text: string };
  readonly creates: readonly { readonly day: string; readonly part: number; readonly text: string }[];
}

/** Packs events after the last record: into it while it is the same day and has room, then into new records. */
export function planAppend(
  last: PackedRecord | undefined,
  events: readonly ActivityEvent[],
  limit = PACKED_RECORD_CHARS,
): AppendPlan {
  let current = last
    ? { id: last.id as string | undefined, day: last.day, part: last.part, text: last.text }
    : undefined;
  let grown = false;
  const creates: { day: string; part: number; text: string }[] = [];
  let update: AppendPlan['update'];
  const close = () => {
    if (!current) return;
    if (current.id !== undefined) {
      if (grown) update = { id: current.id, day: current.day, part: current.part, text: current.text };
    } else creates.push({ day: current.day, part: current.part, text: current.text });
  };
  for (const event of events) {
    const line = packLine(event);
    const day = dayOf(event.at);
    const fits = current && current.day === day && current.text.length + line.length + 1 <= limit;
    if (current && fits) {
      current.text = current.text === '' ? line : `${current.text}\n${line}`;
      if (current.id !== undefined) grown = true;
      continue;
    }
    close();
    const part = current && current.day === day ? current.part + 1 : 1;
    current = { id: undefined, day, part, text: line };
  }
  close();
  return { ...(update ? { update } : {}), creates };
}
