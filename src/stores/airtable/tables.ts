import type { CellValue, SystemValue } from '../../core/cells.ts';
import { ACTIVITY_COLUMNS, type ListName, REFERENCE_TABS, SUMMARY_TABS, TABS } from '../../core/contract.ts';
import type { ColumnLayout, WorkbookLayout } from '../../core/layout.ts';
import type { MetaField } from './provision.ts';

/**
 * The tables of a base, derived from the column contract (through the workbook layout). Airtable
 * keeps dropdown lists on the fields themselves (single select choices), so there is no Lists table;
 * the Activity Log is packed (see activity-log.ts), and a summary tab is a table of numbered lines.
 */
export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly options?: Record<string, unknown>;
  /** Select choices the field must offer (others that staff added stay). */
  readonly choices?: readonly string[];
}

export interface TableSpec {
  readonly name: string;
  /** The first field is the primary field. */
  readonly fields: readonly FieldSpec[];
}

/** The Activity Log's fields in Airtable: one record holds many lines (see activity-log.ts). */
export const ACTIVITY_FIELDS = {
  key: 'Batch',
  day: 'Day',
  lines: 'Lines',
  count: 'Line Count',
} as const;

/** A summary tab's fields: the line number, then one text field per column. */
export const SUMMARY_LINE_FIELD = 'Line';
export const SUMMARY_COLUMNS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const;

export const LEASE_TABLE = 'Lease';
export const LEASE_FIELDS = ['Holder', 'Expires At', 'Heartbeat At'] as const;

const LONG_TEXT_WIDTH = 36;

/** The Airtable field that fits a contract column. */
export function fieldSpec(column: ColumnLayout, lists: WorkbookLayout['lists'], primary: boolean): FieldSpec {
  const { header } = column;
  // A primary field cannot be a select or a long text; the IDs are short text anyway.
  if (primary) return { name: header, type: 'singleLineText' };
  switch (column.type) {
    case 'email':
      return { name: header, type: 'email' };
    case 'date':
      return { name: header, type: 'date', options: { dateFormat: { name: 'iso', format: 'YYYY-MM-DD' } } };
    case 'number':
      return { name: header, type: 'number', options: { precision: 0 } };
    case 'list': {
      const choices = lists[column.list as ListName] ?? [];
      return { name: header, type: 'singleSelect', options: { choices: choices.map((name) => ({ name })) }, choices };
    }
    case 'multi':
      return { name: header, type: 'multilineText' };
    // A timestamp with its zone offset is kept as written: a dateTime field would turn it into UTC.
    case 'datetime':
    case 'id':
      return { name: header, type: 'singleLineText' };
    case 'text':
      return column.owner === 'system' || column.width >= LONG_TEXT_WIDTH
        ? { name: header, type: 'multilineText' }
        : { name: header, type: 'singleLineText' };
  }
}

const activityTable: TableSpec = {
  name: TABS.activity,
  fields: [
    { name: ACTIVITY_FIELDS.key, type: 'singleLineText' },
    { name: ACTIVITY_FIELDS.day, type: 'date', options: { dateFormat: { name: 'iso', format: 'YYYY-MM-DD' } } },
    { name: ACTIVITY_FIELDS.lines, type: 'multilineText' },
    { name: ACTIVITY_FIELDS.count, type: 'number', options: { precision: 0 } },
  ],
};

const summaryTable = (name: string): TableSpec => ({
  name,
  fields: [
    { name: SUMMARY_LINE_FIELD, type: 'number', options: { precision: 0 } },
    ...SUMMARY_COLUMNS.map((c) => ({ name: c, type: 'multilineText' })),
  ],
});

export const LEASE_TABLE_SPEC: TableSpec = {
  name: LEASE_TABLE,
  fields: LEASE_FIELDS.map((name) => ({ name, type: 'singleLineText' })),
};

/** Tables the service rewrites whole each cycle, line by line: the summaries and the Library. */
export const LINE_TABLES: readonly string[] = [...SUMMARY_TABS, ...REFERENCE_TABS];

/** The tables a layout asks for, in the base's terms. */
export function baseTables(layout: WorkbookLayout): TableSpec[] {
  const tables: TableSpec[] = [];
  for (const tab of layout.tabs) {
    if (tab.name === TABS.lists) continue;
    if (tab.name === TABS.activity) tables.push(activityTable);
    else if (LINE_TABLES.includes(tab.name)) tables.push(summaryTable(tab.name));
    else tables.push({ name: tab.name, fields: tab.columns.map((c, i) => fieldSpec(c, layout.lists, i === 0)) });
  }
  return tables;
}

/** The headers the Activity Log reads back as: the contract's, whatever the packing. */
export const ACTIVITY_HEADERS_READ = ACTIVITY_COLUMNS.map((c) => c.header);

/** A field's value as the core reads a cell: text stays text (a formula-like text too), a list is joined. */
export function toCellValue(value: unknown): CellValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ');
  if (typeof value === 'object' && 'name' in value) return String((value as { name: unknown }).name);
  return JSON.stringify(value);
}

/** A system value as its field expects it: dates as YYYY-MM-DD, numbers as numbers, text as text, blank as null. */
export function toFieldValue(value: SystemValue): string | number | null {
  switch (value.kind) {
    case 'text':
      return value.value;
    case 'number':
      return value.value;
    case 'date':
      return value.value;
    case 'blank':
      return null;
  }
}

/** Airtable's test of an email field: text, an @, and a dot in the domain. */
const EMAIL_FIELD = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A staff value from `bucp import` as its field takes it, or why the field cannot hold it. A workbook
 * or a sheet keeps a value the import could not convert as typed, for the cycle to report; an
 * Airtable date, number or email field refuses it (422), so the import leaves that cell empty and
 * says so. A select value that is not a choice is written with `typecast`, as staff typing it would
 * add it, and the cycle reports it like any other value outside the list.
 */
export function importFieldValue(
  field: MetaField,
  value: SystemValue,
): { ok: true; value: string | number | null } | { ok: false; reason: string } {
  if (value.kind === 'blank') return { ok: true, value: null };
  const text = String(value.value);
  switch (field.type) {
    case 'date':
      return value.kind === 'date'
        ? { ok: true, value: value.value }
        : { ok: false, reason: `"${text}" is not a date, and an Airtable date field holds dates only` };
    case 'number':
      return value.kind === 'number'
        ? { ok: true, value: value.value }
        : { ok: false, reason: `"${text}" is not a number, and an Airtable number field holds numbers only` };
    case 'email':
      return EMAIL_FIELD.test(text.trim())
        ? { ok: true, value: text.trim() }
        : { ok: false, reason: `"${text}" is not an email address, and an Airtable email field refuses it` };
    case 'singleLineText':
      return { ok: true, value: text.replace(/[\r\n]+/g, ' ') };
    default:
      return { ok: true, value: text };
  }
}
