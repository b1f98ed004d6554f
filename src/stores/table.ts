import type { CellValue, SheetRow, SheetTable } from '../core/cells.ts';
import { type TabContract, TRACKER_TABS } from '../core/contract.ts';
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
 * A tab's rows by header, from its grid: the header row first, a missing or short row blank where it
 * lacks cells. Rows with no value in any named column are skipped; row numbers are the sheet's, 1-based.
 */
export function tableFromGrid(
  tabName: string,
  grid: readonly (readonly unknown[] | undefined)[],
  toCell: (value: unknown) => CellValue,
): GridTable {
  const { headers, columns, problems } = readHeaderRow(tabName, grid[0] ?? []);
  const indexes = headers.map((h) => columns.get(h)!);
  // Every row's cells are copied from one template, so they share one shape: a 30-column row takes
  // about 300 bytes instead of the 1.6 KB of an object built key by key (V8 turns that into a dictionary).
  const template: Record<string, CellValue> = Object.fromEntries(headers.map((h) => [h, null]));
  const rows: SheetRow[] = [];
  for (let r = 1; r < grid.length; r += 1) {
    const values = grid[r] ?? [];
    const cells: Record<string, CellValue> = { ...template };
    let any = false;
    headers.forEach((header, c) => {
      const value = toCell(values[indexes[c]!]);
      cells[header] = value;
      if (value !== null && value !== '') any = true;
    });
    if (any) rows.push({ rowNumber: r + 1, cells });
  }
  return { table: { headers, rows }, problems, rowsRead: grid.length };
}
