import type { sheets_v4 } from '@googleapis/sheets';
import type { CellValue, SheetRow, SystemValue } from '../../core/cells.ts';
import { TABS, type TabContract } from '../../core/contract.ts';
import { isoDateToSerial } from '../../core/dates.ts';
import { ISSUE_HEADERS, issueRow } from '../../core/issues-tab.ts';
import { columnLetter } from '../../core/layout.ts';
import type { WritePlan } from '../../core/ports.ts';
import type { CellWrite } from '../../core/system-cells.ts';
import { type GridValue, normalizedGrid } from '../table.ts';
import { quoteTab } from './a1.ts';

/**
 * Where a write's values go in a Google spreadsheet, worked out from what was read: no I/O in here.
 * Cells are placed by the row their ID is on right before the write, never by where the cycle read it.
 */

type ValueRange = sheets_v4.Schema$ValueRange;

/** A tab's values as the API gives them, row by row. */
export type Grid = unknown[][];

export function toApiValue(value: SystemValue): string | number {
  switch (value.kind) {
    case 'blank':
      return '';
    case 'date':
      return isoDateToSerial(value.value);
    default:
      return value.value;
  }
}

/** Where an ID-keyed tab's columns and rows are, as read right before a write. */
export interface TabPositions {
  /** Each header's 0-based column. */
  readonly columns: ReadonlyMap<string, number>;
  /** The ID on each sheet row, by 0-based row index. */
  readonly ids: readonly string[];
  /** The 1-based rows each ID is on: more than one when staff used an ID twice. */
  readonly rowsById: ReadonlyMap<string, readonly number[]>;
}

/** The ID-keyed tabs' positions, by tab name. */
export type Positions = ReadonlyMap<string, TabPositions>;

/** For a write with no cell writes: nothing to place. */
export const NO_POSITIONS: Positions = new Map();

/** A tab's positions from its header row's columns and its ID column as read (the header row first). */
export function tabPositions(columns: ReadonlyMap<string, number>, idColumn: Grid): TabPositions {
  const ids = idColumn.map((r) => String(r?.[0] ?? '').trim());
  const rowsById = new Map<string, number[]>();
  ids.forEach((id, i) => {
    if (i === 0 || !id) return;
    const rows = rowsById.get(id);
    if (rows) rows.push(i + 1);
    else rowsById.set(id, [i + 1]);
  });
  return { columns, ids, rowsById };
}

const idAt = (positions: Positions, tab: string, row: number) => positions.get(tab)?.ids[row - 1] ?? '';

function columnOf(positions: Positions, tab: string, header: string): number {
  const column = positions.get(tab)?.columns.get(header);
  if (column === undefined) throw new Error(`The "${tab}" tab lacks the column "${header}": run \`bucp init\``);
  return column;
}

/** Where one cell write goes now, and the range that writes it there. */
export interface Placement {
  readonly write: CellWrite;
  readonly row: number;
  readonly range: ValueRange;
}

export interface Placed {
  readonly placements: readonly Placement[];
  readonly cellsWritten: number;
  /** IDs on no row any more: deleted since the read. */
  readonly missingIds: readonly string[];
}

/**
 * Finds the row each cell write goes to now: every row its ID is on. Every column is found first, so a
 * missing one fails before anything is sent.
 */
export function placeWrites(cells: readonly CellWrite[], positions: Positions): Placed {
  const placements: Placement[] = [];
  const missingIds: string[] = [];
  let cellsWritten = 0;
  for (const write of cells) {
    const headers = Object.keys(write.values);
    const columns = headers.map((h) => columnOf(positions, write.tab, h));
    const rows = positions.get(write.tab)?.rowsById.get(write.id) ?? [];
    if (rows.length === 0) missingIds.push(write.id);
    for (const row of rows) {
      placements.push({ write, row, range: rowRange(write, row, headers, columns) });
      cellsWritten += headers.length;
    }
  }
  return { placements, cellsWritten, missingIds };
}

/** One row's system cells as one range: they sit side by side, and a null leaves a cell between them alone. */
function rowRange(write: CellWrite, row: number, headers: readonly string[], columns: readonly number[]): ValueRange {
  const first = Math.min(...columns);
  const values = new Array<string | number | null>(Math.max(...columns) - first + 1).fill(null);
  headers.forEach((h, i) => {
    values[columns[i]! - first] = toApiValue(write.values[h]!);
  });
  return {
    range: `${quoteTab(write.tab)}!${columnLetter(first + 1)}${row}:${columnLetter(first + values.length)}${row}`,
    values: [values],
  };
}

/** The placements whose row holds another ID now: staff moved rows while the write went out. */
export function movedPlacements(placements: readonly Placement[], positions: Positions): Placement[] {
  return placements.filter(({ write, row }) => idAt(positions, write.tab, row) !== write.id);
}

/** The ID-keyed tabs' system cells as read, by tab and ID. */
export type CellsById = ReadonlyMap<string, ReadonlyMap<string, Readonly<Record<string, CellValue>>>>;

/**
 * A tab's system cells as read, by ID, for the rows with one filled (a first sync's rows have none):
 * a copy of those cells only, so the rows as read need not be kept through the cycle.
 */
export function cellsById(tab: TabContract, rows: readonly SheetRow[]): ReadonlyMap<string, SheetRow['cells']> {
  const headers = tab.columns.filter((c) => c.owner === 'system').map((c) => c.header);
  const byId = new Map<string, SheetRow['cells']>();
  for (const row of rows) {
    const id = String(row.cells[tab.idColumn!] ?? '').trim();
    if (!id || headers.every((h) => (row.cells[h] ?? null) === null)) continue;
    byId.set(id, Object.fromEntries(headers.map((h) => [h, row.cells[h] ?? null])));
  }
  return byId;
}

/**
 * A row that took a value meant for another proposal gets its own back: what this write has for its
 * ID, else its cell as the cycle read it.
 */
export function restoreRanges(
  moved: readonly Placement[],
  positions: Positions,
  cells: readonly CellWrite[],
  asRead: CellsById,
): ValueRange[] {
  const own = new Map(cells.map((w) => [`${w.tab}\u0000${w.id}`, w.values]));
  const ranges: ValueRange[] = [];
  for (const { write, row } of moved) {
    const { tab } = write;
    const occupant = idAt(positions, tab, row);
    if (!occupant) continue;
    for (const header of Object.keys(write.values)) {
      const mine = own.get(`${tab}\u0000${occupant}`)?.[header];
      const read = asRead.get(tab)?.get(occupant)?.[header];
      const value = mine ? toApiValue(mine) : typeof read === 'string' || typeof read === 'number' ? read : '';
      const c = columnOf(positions, tab, header);
      ranges.push({ range: `${quoteTab(tab)}!${columnLetter(c + 1)}${row}`, values: [[value]] });
    }
  }
  return ranges;
}

/** A system tab the write rewrites whole: its new grid, and the range that writes it over the old. */
export interface GridWrite {
  readonly tab: string;
  readonly grid: GridValue[][];
  readonly range: ValueRange;
}

/** The whole tabs a plan rewrites (Issues, summaries) whose content differs from what they show. */
export function changedGrids(plan: WritePlan, shown: ReadonlyMap<string, Grid>): GridWrite[] {
  const grids: { tab: string; grid: GridValue[][] }[] = [];
  if (plan.issues) grids.push({ tab: TABS.issues, grid: [[...ISSUE_HEADERS], ...plan.issues.map(issueRow)] });
  for (const s of plan.summaries ?? []) grids.push({ tab: s.tab, grid: s.rows.map((r) => [...r]) });
  return grids
    .filter(({ tab, grid }) => normalizedGrid((shown.get(tab) as GridValue[][]) ?? []) !== normalizedGrid(grid))
    .map(({ tab, grid }) => ({ tab, grid, range: gridRange(tab, grid, shown.get(tab) ?? []) }));
}

/** A whole system tab, padded with blanks to clear what the old content had beyond the new. */
function gridRange(tab: string, grid: GridValue[][], old: Grid): ValueRange {
  const height = Math.max(old.length, grid.length, 1);
  const widest = (rows: readonly { length: number }[]) => rows.reduce((m, r) => Math.max(m, r.length), 0);
  const width = Math.max(1, widest(old), widest(grid));
  const values = Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c) => {
      const v = grid[r]?.[c];
      return v === null || v === undefined ? '' : v;
    }),
  );
  return { range: `${quoteTab(tab)}!A1:${columnLetter(width)}${height}`, values };
}
