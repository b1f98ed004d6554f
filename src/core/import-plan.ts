import { type CellValue, type SheetTable, type SystemValue, cellText, isBlankCell } from './cells.ts';
import { type Column, type ListName, PROPOSAL_COLUMNS, RESTRICTED_COLUMNS, allLists } from './contract.ts';
import type { ColumnMatch, ImportMap } from './import-map.ts';
import { type ConversionKind, convertCell, sameValue, valueText } from './import-values.ts';
import type { RestrictedImportResult } from './ports.ts';

/** The source's rows below its header, as read: 1-based sheet row numbers, cells by source column. */
export interface SourceRow {
  readonly rowNumber: number;
  readonly cells: readonly CellValue[];
}

/** One row's staff values as an import writes them, by tracker header. */
export interface StaffRowWrite {
  readonly id: string;
  readonly values: Readonly<Record<string, SystemValue>>;
}

/** Staff data an import writes into the tracker: rows to add, and cells of existing rows to fill. */
export interface StaffImportPlan {
  readonly add: readonly StaffRowWrite[];
  /** Cells of rows already in the tracker: empty ones, and conflicting ones when overwriting. */
  readonly fill: readonly StaffRowWrite[];
}

/** Restricted content for one proposal, by restricted header. Never printed, never logged. */
export interface RestrictedRecord {
  readonly id: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface ImportConflict {
  readonly id: string;
  readonly row: number;
  readonly column: string;
  readonly existing: string;
  readonly incoming: string;
  /** True when --overwrite replaced the tracker's value. */
  readonly overwritten: boolean;
}

export interface ImportProblem {
  readonly row: number;
  readonly id: string | null;
  readonly column: string | null;
  readonly message: string;
}

export interface ConversionCount {
  readonly column: string;
  readonly kind: ConversionKind;
  readonly count: number;
}

/** What an import will do to the tracker, and everything a person should see before it does. */
export interface ImportPlan {
  readonly staff: StaffImportPlan;
  /** Restricted content: for the restricted store only. Never printed (the report leaves it out). */
  readonly restricted: readonly RestrictedRecord[];
  readonly added: readonly string[];
  readonly filled: readonly { readonly id: string; readonly columns: readonly string[] }[];
  /** IDs already in the tracker with nothing new to write: a second import lands here. */
  readonly unchanged: readonly string[];
  readonly skipped: readonly { readonly row: number; readonly id: string | null; readonly reason: string }[];
  readonly conflicts: readonly ImportConflict[];
  /** Values kept as the source's text (the cycle will report them), and other per-row problems. */
  readonly problems: readonly ImportProblem[];
  readonly conversions: readonly ConversionCount[];
  readonly generatedIds: readonly string[];
  readonly blankRows: number;
}

export interface PlanOptions {
  readonly idPrefix?: string | undefined;
  readonly overwrite: boolean;
}

const ID_HEADER = 'BUCP ID';

/** Fills empty cells, reports differing ones and, when overwriting, replaces them. Shared by every store. */
export function mergeRow(
  columns: ReadonlyMap<string, Column>,
  existing: Readonly<Record<string, CellValue>>,
  incoming: Readonly<Record<string, SystemValue>>,
  overwrite: boolean,
): { write: Record<string, SystemValue>; filled: string[]; conflicts: string[] } {
  const write: Record<string, SystemValue> = {};
  const filled: string[] = [];
  const conflicts: string[] = [];
  for (const [header, value] of Object.entries(incoming)) {
    const column = columns.get(header);
    if (!column || header === ID_HEADER || value.kind === 'blank') continue;
    const current = existing[header] ?? null;
    if (isBlankCell(current)) {
      write[header] = value;
      filled.push(header);
    } else if (!sameValue(column, current, value)) {
      conflicts.push(header);
      if (overwrite) write[header] = value;
    }
  }
  return { write, filled, conflicts };
}

/** The next IDs `prefix` + zero-padded number, above every ID with that prefix, never one in use. */
export function generateIds(prefix: string, used: ReadonlySet<string>, count: number): string[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)$`);
  let highest = 0;
  let width = 4;
  for (const id of used) {
    const m = pattern.exec(id);
    if (!m) continue;
    highest = Math.max(highest, Number(m[1]));
    width = Math.max(width, m[1]!.length);
  }
  const ids: string[] = [];
  for (let n = highest + 1; ids.length < count; n += 1) {
    const id = `${prefix}${String(n).padStart(width, '0')}`;
    if (!used.has(id)) ids.push(id);
  }
  return ids;
}

/**
 * Plans an import: converts each source row by the column map, matches it to the tracker by BUCP ID,
 * and sorts it into rows to add, cells to fill, conflicts, and rows to skip. Restricted columns go to
 * the restricted records only. Pure: the same source and tracker give the same plan.
 */
export function planImport(
  rows: readonly SourceRow[],
  matches: readonly ColumnMatch[],
  map: ImportMap,
  tracker: SheetTable,
  context: { readonly departments: readonly string[] } & PlanOptions,
): ImportPlan {
  const lists: Record<ListName, readonly string[]> = allLists(context.departments);
  const contract = new Map(PROPOSAL_COLUMNS.map((c) => [c.header, c]));
  const mapped = matches.filter((m) => m.target !== null);
  const idMatch = mapped.find((m) => m.target === ID_HEADER);
  const existing = new Map<string, Readonly<Record<string, CellValue>>>();
  for (const row of tracker.rows) {
    const id = cellText(row.cells[ID_HEADER]);
    if (id !== '' && !existing.has(id)) existing.set(id, row.cells);
  }
  const headers = PROPOSAL_COLUMNS.map((c) => c.header);
  const order = (header: string) => headers.indexOf(header);
  const conversions = new Map<string, ConversionCount>();
  const count = (column: string, kind: ConversionKind) => {
    const key = `${column}\u0000${kind}`;
    conversions.set(key, { column, kind, count: (conversions.get(key)?.count ?? 0) + 1 });
  };

  // Rows with data, their IDs as typed, and the rows that need one.
  const withData = rows.filter((r) => r.cells.some((c) => !isBlankCell(c)));
  const typedIds = withData.map((r) => (idMatch ? cellText(r.cells[idMatch.index] ?? null) : ''));
  const used = new Set([...existing.keys(), ...typedIds.filter((id) => id !== '')]);
  const missing = typedIds.filter((id) => id === '').length;
  const fresh = context.idPrefix ? generateIds(context.idPrefix, used, missing) : [];

  const add: StaffRowWrite[] = [];
  const fill: StaffRowWrite[] = [];
  const restricted: RestrictedRecord[] = [];
  const filled: { id: string; columns: string[] }[] = [];
  const unchanged: string[] = [];
  const skipped: { row: number; id: string | null; reason: string }[] = [];
  const conflicts: ImportConflict[] = [];
  const problems: ImportProblem[] = [];
  const generatedIds: string[] = [];
  const seen = new Map<string, number>();

  withData.forEach((row, i) => {
    let id = typedIds[i]!;
    if (id === '') {
      if (!context.idPrefix) {
        skipped.push({ row: row.rowNumber, id: null, reason: 'no BUCP ID: give it one, or import with --id-prefix' });
        return;
      }
      id = fresh.shift()!;
      generatedIds.push(id);
    }
    const first = seen.get(id);
    if (first !== undefined) {
      skipped.push({
        row: row.rowNumber,
        id,
        reason: `BUCP ID ${id} is also on source row ${first}: only that row is imported`,
      });
      return;
    }
    seen.set(id, row.rowNumber);

    const staff: Record<string, SystemValue> = { [ID_HEADER]: { kind: 'text', value: id } };
    const secret: Record<string, string> = {};
    for (const m of mapped) {
      if (m.target === ID_HEADER) continue;
      const value = row.cells[m.index] ?? null;
      if (m.restricted) {
        // Restricted content is carried as typed, and nothing about it is counted or reported.
        if (!isBlankCell(value)) secret[m.target!] = cellText(value);
        continue;
      }
      const column = contract.get(m.target!)!;
      const converted = convertCell(column, value, lists, map.values);
      if (!converted) continue;
      staff[m.target!] = converted.value;
      count(m.target!, converted.kind);
      if (converted.problem) {
        problems.push({ row: row.rowNumber, id, column: m.target, message: `${m.target}: ${converted.problem}` });
      }
    }
    if (Object.keys(secret).length > 0) restricted.push({ id, values: secret });

    const current = existing.get(id);
    if (!current) {
      add.push({ id, values: staff });
      return;
    }
    const merged = mergeRow(contract, current, staff, context.overwrite);
    for (const column of merged.conflicts) {
      conflicts.push({
        id,
        row: row.rowNumber,
        column,
        existing: cellText(current[column] ?? null),
        incoming: valueText(staff[column]!),
        overwritten: context.overwrite,
      });
    }
    const written = Object.keys(merged.write);
    if (written.length === 0) {
      unchanged.push(id);
      return;
    }
    fill.push({ id, values: merged.write });
    filled.push({ id, columns: written });
  });

  return {
    staff: { add, fill },
    restricted,
    added: add.map((r) => r.id),
    filled,
    unchanged,
    skipped,
    conflicts,
    problems,
    // In the tracker's column order, so the preview reads like the sheet.
    conversions: [...conversions.values()].sort(
      (a, b) => order(a.column) - order(b.column) || a.kind.localeCompare(b.kind),
    ),
    generatedIds,
    blankRows: rows.length - withData.length,
  };
}

/** What a restricted store does with imported records, planned from what it holds. */
export interface RestrictedMerge {
  readonly add: readonly RestrictedRecord[];
  readonly fill: readonly { readonly id: string; readonly values: Readonly<Record<string, string>> }[];
  readonly result: RestrictedImportResult;
}

/** The restricted store's side of an import: the same rules as the tracker's, on its own content. */
export function mergeRestricted(
  existing: ReadonlyMap<string, Readonly<Record<string, CellValue>>>,
  records: readonly RestrictedRecord[],
  overwrite: boolean,
): RestrictedMerge {
  const columns = new Map(RESTRICTED_COLUMNS.map((c) => [c.header, c]));
  const add: RestrictedRecord[] = [];
  const fill: { id: string; values: Record<string, string> }[] = [];
  const filled: { id: string; column: string }[] = [];
  const conflicts: { id: string; column: string; overwritten: boolean }[] = [];
  let unchanged = 0;
  for (const record of records) {
    const current = existing.get(record.id);
    if (!current) {
      add.push(record);
      continue;
    }
    const incoming = Object.fromEntries(
      Object.entries(record.values).map(([h, v]) => [h, { kind: 'text', value: v } as SystemValue]),
    );
    const merged = mergeRow(columns, current, incoming, overwrite);
    filled.push(...merged.filled.map((column) => ({ id: record.id, column })));
    conflicts.push(...merged.conflicts.map((column) => ({ id: record.id, column, overwritten: overwrite })));
    const values = Object.fromEntries(Object.entries(merged.write).map(([h, v]) => [h, valueText(v)]));
    if (Object.keys(values).length === 0) unchanged += 1;
    else fill.push({ id: record.id, values });
  }
  return { add, fill, result: { added: add.map((r) => r.id), filled, conflicts, unchanged } };
}
