import type { CellValue, SheetRow, SheetTable } from '../core/cells.ts';
import { type TabContract, TRACKER_TABS } from '../core/contract.ts';

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
  /** 0-based column index of each header. */
  readonly columns: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
  /** How many rows were read, the header row included: the last row with a value in any column. */
  readonly rowsRead: number;
}

/** Makes a cell converter for one column: a column's converter may learn what its values are like. */
export type ColumnReader = () => (value: unknown) => CellValue;

/**
 * Reads a tab a row at a time (header row first), as the rows arrive: the grid is never held whole.
 * Blank and duplicate headers are reported; rows with no value in any named column are skipped; row
 * numbers are the sheet's, 1-based.
 */
export class GridTableBuilder {
  private readonly tabName: string;
  private readonly reader: ColumnReader;
  private converters: ((v: unknown) => CellValue)[] = [];
  private readonly headers: string[] = [];
  private readonly columns = new Map<string, number>();
  private readonly problems: string[] = [];
  private readonly rows: SheetRow[] = [];
  private template: Record<string, CellValue> | undefined;
  private indexes: number[] = [];
  private rowNumber = 0;

  constructor(tabName: string, reader: ColumnReader) {
    this.tabName = tabName;
    this.reader = reader;
  }

  add(values: readonly unknown[]): void {
    this.rowNumber += 1;
    if (this.rowNumber === 1) {
      this.readHeaders(values);
      return;
    }
    const { headers, indexes, converters } = this;
    const cells: Record<string, CellValue> = { ...this.template };
    let any = false;
    for (let c = 0; c < headers.length; c += 1) {
      const value = converters[c]!(values[indexes[c]!]);
      cells[headers[c]!] = value;
      if (value !== null && value !== '') any = true;
    }
    if (any) this.rows.push({ rowNumber: this.rowNumber, cells });
  }

  finish(): GridTable {
    if (this.rowNumber === 0) this.readHeaders([]);
    return {
      table: { headers: this.headers, rows: this.rows },
      columns: this.columns,
      problems: this.problems,
      rowsRead: this.rowNumber,
    };
  }

  private readHeaders(headerRow: readonly unknown[]): void {
    headerRow.forEach((value, index) => {
      const text = String(value ?? '').trim();
      if (text === '') return;
      if (this.columns.has(text)) {
        this.problems.push(`${this.tabName} has the header "${text}" twice: rename or remove one`);
        return;
      }
      this.headers.push(text);
      this.columns.set(text, index);
    });
    // Every row's cells are copied from one template, so they share one shape: a 30-column row takes
    // about 300 bytes instead of the 1.6 KB of an object built key by key (V8 turns that into a dictionary).
    this.template = Object.fromEntries(this.headers.map((h) => [h, null]));
    this.indexes = this.headers.map((h) => this.columns.get(h)!);
    this.converters = this.headers.map(() => this.reader());
  }
}
