import type { CellValue, SheetRow, SheetTable } from '../core/cells.ts';
import { RESTRICTED_TAB, type TabContract, TRACKER_TABS } from '../core/contract.ts';
import { columnLetter } from '../core/layout.ts';

/** Problems of a tab's header row against the contract, each saying how to repair it. */
export function contractProblems(tab: TabContract, headers: ReadonlySet<string>): string[] {
  const missing = tab.columns.map((c) => c.header).filter((h) => !headers.has(h));
  return missing.length === 0
    ? []
    : [
        `The "${tab.name}" tab lacks the column(s) ${missing.map((h) => `"${h}"`).join(', ')}: run \`bucp init\` to add them`,
      ];
}

/** The contract is the guard: a write to a staff column is a bug, never a plan to follow. */
export function assertSystemColumn(tabName: string, header: string): void {
  if (!SYSTEM_COLUMNS.get(tabName)?.has(header)) {
    throw new Error(`Refusing to write staff column "${header}" on "${tabName}"`);
  }
}

/** The import's guard, the other way round: `bucp import` writes staff columns only, never the service's. */
export function assertStaffColumn(tabName: string, header: string): void {
  if (!STAFF_COLUMNS.get(tabName)?.has(header)) {
    throw new Error(`Refusing to import into "${header}" on "${tabName}": not a staff column`);
  }
}

const STAFF_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...TRACKER_TABS, RESTRICTED_TAB].map((t) => [
    t.name,
    new Set(t.columns.filter((c) => c.owner === 'staff').map((c) => c.header)),
  ]),
);

const SYSTEM_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  TRACKER_TABS.map((t) => [t.name, new Set(t.columns.filter((c) => c.owner === 'system').map((c) => c.header))]),
);

export type GridValue = string | number | null;

/** A grid without trailing blanks, to compare what a system tab shows with what it should show. */
export function normalizedGrid(grid: readonly (readonly (GridValue | undefined)[] | undefined)[]): string {
  const rows = grid.map((r) => {
    const copy = [...(r ?? [])].map((v) => (v === undefined || v === '' ? null : v));
    while (copy.length > 0 && copy.at(-1) === null) copy.pop();
    return copy;
  });
  while (rows.length > 0 && rows.at(-1)!.length === 0) rows.pop();
  return JSON.stringify(rows);
}

export interface GridTable {
  readonly table: SheetTable;
  readonly problems: readonly string[];
  /** How many rows were read, the header row included: the last row with a value in any column. */
  readonly rowsRead: number;
}

/** A tab's header row: its headers in column order, and the 0-based column of each. */
export interface HeaderRow {
  readonly headers: readonly string[];
  readonly columns: ReadonlyMap<string, number>;
  /** Headers used twice, each saying how to repair it. */
  readonly problems: readonly string[];
}

/**
 * Reads a header row: the one way the stores read one. Blank cells name no column; a header used twice
 * is reported, and its first column is the one read and written.
 */
export function readHeaderRow(tabName: string, values: readonly unknown[]): HeaderRow {
  const headers: string[] = [];
  const columns = new Map<string, number>();
  const problems: string[] = [];
  values.forEach((value, index) => {
    const text = String(value ?? '').trim();
    if (text === '') return;
    const first = columns.get(text);
    if (first !== undefined) {
      problems.push(
        `${tabName} has the header "${text}" twice (columns ${columnLetter(first + 1)} and ${columnLetter(index + 1)}): rename or remove one`,
      );
      return;
    }
    headers.push(text);
    columns.set(text, index);
  });
  return { headers, columns, problems };
}

/**
 * Reads a tab's rows by header as they come, the header row first. Rows with no value in any named
 * column are skipped; row numbers are the sheet's, 1-based (a missing row counts as an empty one).
 */
export class TableReader {
  private readonly tabName: string;
  private readonly toCell: (value: unknown) => CellValue;
  private header: HeaderRow | undefined;
  private indexes: number[] = [];
  private template: Record<string, CellValue> = {};
  private readonly rows: SheetRow[] = [];
  private rowsRead = 0;

  constructor(tabName: string, toCell: (value: unknown) => CellValue) {
    this.tabName = tabName;
    this.toCell = toCell;
  }

  add(values: readonly unknown[] = []): void {
    this.rowsRead += 1;
    if (!this.header) {
      const header = readHeaderRow(this.tabName, values);
      this.header = header;
      this.indexes = header.headers.map((h) => header.columns.get(h)!);
      // Every row's cells are copied from one template, so they share one shape: a 30-column row takes
      // about 300 bytes instead of the 1.6 KB of an object built key by key (V8 makes that a dictionary).
      this.template = Object.fromEntries(header.headers.map((h) => [h, null]));
      return;
    }
    const { headers } = this.header;
    const cells: Record<string, CellValue> = { ...this.template };
    let any = false;
    for (let c = 0; c < headers.length; c += 1) {
      const value = this.toCell(values[this.indexes[c]!]);
      cells[headers[c]!] = value;
      if (value !== null && value !== '') any = true;
    }
    if (any) this.rows.push({ rowNumber: this.rowsRead, cells });
  }

  finish(): GridTable {
    const { headers, problems } = this.header ?? readHeaderRow(this.tabName, []);
    return { table: { headers, rows: this.rows }, problems, rowsRead: this.rowsRead };
  }
}

/** A tab's rows by header, from its whole grid (a missing row is an empty one). */
export function tableFromGrid(
  tabName: string,
  grid: readonly (readonly unknown[] | undefined)[],
  toCell: (value: unknown) => CellValue,
): GridTable {
  const reader = new TableReader(tabName, toCell);
  for (let r = 0; r < grid.length; r += 1) reader.add(grid[r]);
  return reader.finish();
}
