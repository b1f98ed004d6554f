import { DateTime } from 'luxon';
import { z } from 'zod/v4';
import { type CellValue, type SystemValue, cellText, isBlankCell, isCellError } from './cells.ts';
import type { Column, ListName } from './contract.ts';
import {
  EARLIEST_PLAUSIBLE_YEAR,
  type IsoDate,
  LATEST_PLAUSIBLE_YEAR,
  isoDateToSerial,
  parseDateCell,
  serialToIsoDate,
} from './dates.ts';

/**
 * How a source value became a tracker value. The preview counts them per column, so a person sees
 * what was converted and how, and which values were kept as typed because nothing could read them.
 */
export type ConversionKind =
  | 'as is'
  | 'workbook date'
  | 'Excel serial'
  | 'ISO date'
  | 'M/D/YYYY'
  | 'D-Mon-YYYY'
  | 'Month D, YYYY'
  | 'ISO timestamp'
  | 'display name removed'
  | 'value map'
  | 'list spelling'
  | 'datasets split'
  | 'kept as text';

export interface Converted {
  readonly value: SystemValue;
  readonly kind: ConversionKind;
  /** Why the value was kept as the source's text: the cycle will report it as a row issue. */
  readonly problem?: string;
}

/** Value maps by list (`Stage`, `Outcome`, `Departments`, ...): source text → tracker value. */
export type ValueMaps = Partial<Record<ListName, Readonly<Record<string, string>>>>;

const EMAIL = z.email();
const DISPLAY_NAME_EMAIL = /^\s*"?([^"<]*)"?\s*<\s*([^<>\s]+)\s*>\s*$/;
/** Excel serials of 1990-01-01 and 2100-12-31: a whole number in between, typed as text, is a serial. */
const SERIAL_RANGE = [
  isoDateToSerial(`${EARLIEST_PLAUSIBLE_YEAR}-01-01`),
  isoDateToSerial(`${LATEST_PLAUSIBLE_YEAR}-12-31`),
];

/** Date texts luxon reads, besides the ISO and M/D/YYYY the cycle itself reads. Months in English. */
const TEXT_DATE_FORMATS: readonly { kind: ConversionKind; formats: readonly string[] }[] = [
  { kind: 'D-Mon-YYYY', formats: ['d-LLL-yyyy', 'd-LLLL-yyyy', 'd LLL yyyy', 'd LLLL yyyy'] },
  { kind: 'Month D, YYYY', formats: ['LLLL d, yyyy', 'LLL d, yyyy', 'LLLL d yyyy', 'LLL d yyyy'] },
];

/** A value's key for matching list entries and value maps: case and spacing do not matter. */
export function valueKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

const kept = (value: CellValue, problem: string): Converted => ({
  value: { kind: 'text', value: cellText(value) },
  kind: 'kept as text',
  problem,
});

/** A date read from the source, checked as the cycle will check it; kept as the source's text when implausible. */
function dateValue(date: IsoDate, kind: ConversionKind, source: CellValue): Converted {
  const checked = parseDateCell(date);
  if (!checked?.ok) return kept(source, checked?.reason ?? 'is not a date');
  return { value: { kind: 'date', value: checked.date }, kind };
}

/** Dates as Excel serials, workbook dates, ISO, M/D/YYYY, D-Mon-YYYY and Month D, YYYY. */
export function convertDate(value: CellValue): Converted {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return kept(value, 'is not a valid date');
    // Workbook dates carry no zone: their UTC fields are the calendar date that was typed.
    return dateValue(value.toISOString().slice(0, 10), 'workbook date', value);
  }
  if (typeof value === 'number') return dateValue(serialToIsoDate(value), 'Excel serial', value);
  const text = cellText(value);
  if (/^\d{5}$/.test(text) && Number(text) >= SERIAL_RANGE[0]! && Number(text) <= SERIAL_RANGE[1]!) {
    return dateValue(serialToIsoDate(Number(text)), 'Excel serial', value);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parsedOrKept(text, 'ISO date');
  if (/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(text)) return parsedOrKept(text, 'M/D/YYYY');
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return parsedOrKept(text, 'ISO timestamp');
  for (const { kind, formats } of TEXT_DATE_FORMATS) {
    for (const format of formats) {
      const parsed = DateTime.fromFormat(text.replace(/\s+/g, ' '), format, { locale: 'en-US', zone: 'UTC' });
      if (parsed.isValid) return dateValue(parsed.toISODate() as IsoDate, kind, value);
    }
  }
  return kept(
    value,
    `"${text}" is not a date the importer reads (Excel serial, YYYY-MM-DD, M/D/YYYY, D-Mon-YYYY or Month D, YYYY)`,
  );
}

function parsedOrKept(text: string, kind: ConversionKind): Converted {
  const parsed = parseDateCell(text);
  return parsed?.ok
    ? { value: { kind: 'date', value: parsed.date }, kind }
    : kept(text, parsed?.reason ?? 'not a date');
}

/** An address, or `Maria Lopez <maria@…>` reduced to its address. */
export function convertEmail(value: CellValue): Converted {
  const text = cellText(value);
  if (EMAIL.safeParse(text).success) return { value: { kind: 'text', value: text }, kind: 'as is' };
  const named = DISPLAY_NAME_EMAIL.exec(text);
  if (named && EMAIL.safeParse(named[2]).success) {
    return { value: { kind: 'text', value: named[2]! }, kind: 'display name removed' };
  }
  return kept(value, `"${text}" is not an email address`);
}

/** Datasets separated by `;`, `,` or line breaks, written as the tracker separates them: `; `. */
export function convertDatasets(value: CellValue): Converted {
  const text = cellText(value);
  const parts = text
    .split(/[;,\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const joined = parts.join('; ');
  return { value: { kind: 'text', value: joined }, kind: joined === text ? 'as is' : 'datasets split' };
}

/** A dropdown value: the map's value first, then the list's own spelling; otherwise kept as typed. */
export function convertListValue(
  value: CellValue,
  list: ListName,
  allowed: readonly string[],
  maps: ValueMaps,
  advisory: boolean,
): Converted {
  const text = cellText(value);
  const mapped = Object.entries(maps[list] ?? {}).find(([from]) => valueKey(from) === valueKey(text));
  if (mapped) return { value: { kind: 'text', value: mapped[1] }, kind: 'value map' };
  const known = allowed.find((v) => valueKey(v) === valueKey(text));
  if (known) return { value: { kind: 'text', value: known }, kind: known === text ? 'as is' : 'list spelling' };
  if (advisory) return { value: { kind: 'text', value: text }, kind: 'as is' };
  return kept(value, `"${text}" is not a known ${list}: map it under values.${list} in the map file`);
}

/**
 * One source cell as the tracker column holds it, or null when it is blank. A value that cannot be
 * converted is kept as the source's text, so the cycle reports it as a row issue: nothing is guessed.
 */
export function convertCell(
  column: Column,
  value: CellValue,
  lists: Record<ListName, readonly string[]>,
  maps: ValueMaps,
): Converted | null {
  if (isBlankCell(value)) return null;
  if (isCellError(value)) return kept(value, `contains the spreadsheet error ${value.error}`);
  switch (column.type) {
    case 'date':
    case 'datetime':
      return convertDate(value);
    case 'email':
      return convertEmail(value);
    case 'multi':
      return convertDatasets(value);
    case 'list':
      return column.list
        ? convertListValue(value, column.list, lists[column.list], maps, column.listIsAdvisory === true)
        : { value: { kind: 'text', value: cellText(value) }, kind: 'as is' };
    case 'number':
      return typeof value === 'number'
        ? { value: { kind: 'number', value }, kind: 'as is' }
        : kept(value, 'is not a number');
    default:
      return { value: { kind: 'text', value: cellText(value) }, kind: 'as is' };
  }
}

/** Whether a tracker cell already holds this value, as the column reads it. */
export function sameValue(column: Column, existing: CellValue | undefined, incoming: SystemValue): boolean {
  if (incoming.kind === 'blank') return isBlankCell(existing ?? null);
  if (incoming.kind === 'date') {
    const parsed = parseDateCell(existing ?? null);
    return parsed?.ok === true && parsed.date === incoming.value;
  }
  if (incoming.kind === 'number') return existing === incoming.value || cellText(existing) === String(incoming.value);
  const text = cellText(existing);
  if (column.type === 'email' || column.type === 'list') return valueKey(text) === valueKey(incoming.value);
  if (column.type === 'multi') return sameDatasets(text, incoming.value);
  return text === incoming.value.trim();
}

function sameDatasets(a: string, b: string): boolean {
  const split = (s: string) => valueText(convertDatasets(s).value).toLowerCase();
  return split(a) === split(b);
}

/** A value as plain text, for the preview (never used for restricted columns). */
export function valueText(value: SystemValue): string {
  return value.kind === 'blank' ? '' : String(value.value);
}
