import type { IsoDate } from './dates.ts';

/** A spreadsheet error value such as `#REF!`, as a store reads it. */
export interface CellError {
  readonly error: string;
}

/**
 * One cell as a store hands it to the core: text, a number (an API's serial date is a number too),
 * a boolean, a workbook date, an error value, or blank. Stores reduce formulas to their results and
 * rich text to plain text before the core sees them.
 */
export type CellValue = string | number | boolean | Date | CellError | null;

export interface SheetRow {
  /** The 1-based sheet row where this row was read; for messages and links only, never identity. */
  readonly rowNumber: number;
  readonly cells: Readonly<Record<string, CellValue>>;
}

export interface SheetTable {
  readonly headers: readonly string[];
  readonly rows: readonly SheetRow[];
}

/** A value the service writes into a system cell. Dates are calendar dates; stores format them. */
export type SystemValue =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'date'; readonly value: IsoDate }
  | { readonly kind: 'blank' };

export const blank: SystemValue = { kind: 'blank' };

export const text = (value: string): SystemValue => (value === '' ? blank : { kind: 'text', value });
export const num = (value: number): SystemValue => ({ kind: 'number', value });
export const date = (value: IsoDate | null | undefined): SystemValue => (value ? { kind: 'date', value } : blank);

export function isCellError(value: unknown): value is CellError {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && 'error' in value;
}

export function isBlankCell(value: CellValue | undefined): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** A cell as plain text, for IDs, free text and messages. */
export function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (isCellError(value)) return value.error;
  return String(value).trim();
}
