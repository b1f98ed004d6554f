import type { sheets_v4 } from '@googleapis/sheets';
import { ACTIVITY_HEADERS, activityRow } from '../core/activity.ts';
import type { CellValue, SheetRow, SystemValue } from '../core/cells.ts';
import { RESTRICTED_TAB, SUMMARY_TABS, TABS, TRACKER_TABS, type TabContract } from '../core/contract.ts';
import { isoDateToSerial } from '../core/dates.ts';
import { ISSUE_HEADERS, issueRow } from '../core/issues-tab.ts';
import { columnLetter, type WorkbookLayout } from '../core/layout.ts';
import type {
  LayoutReport,
  RestrictedStore,
  StoreCapacity,
  TrackerSnapshot,
  TrackerStore,
  WritePlan,
  WriteResult,
} from '../core/ports.ts';
import type { CellWrite } from '../core/system-cells.ts';
import { flat } from '../core/text.ts';
import { quoteTab } from './google/a1.ts';
import { SheetsLease } from './google/lease.ts';
import { ensureSpreadsheetLayout } from './google/provision.ts';
import {
  type RetryPolicy,
  type SheetsClient,
  DEFAULT_RETRY,
  GOOGLE_CELL_LIMIT,
  GOOGLE_CELL_LIMIT_NAME,
  SheetsApiError,
  answerOf,
  withRetry,
} from './google/transport.ts';
import {
  type GridTable,
  type GridValue,
  assertSystemColumn,
  contractProblems,
  normalizedGrid,
  readHeaderRow,
  tableFromGrid,
} from './table.ts';

const ERROR_VALUE = /^#(REF!|N\/A|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|ERROR!|SPILL!|CALC!)$/;

/**
 * A value as the API gives it with UNFORMATTED_VALUE: dates arrive as serial numbers, errors as their
 * text.
 */
function toCellValue(value: unknown): CellValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return ERROR_VALUE.test(value) ? { error: value } : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function toApiValue(value: SystemValue): string | number {
  switch (value.kind) {
    case 'blank':
      return '';
    case 'date':
      return isoDateToSerial(value.value);
    default:
      return value.value;
  }
}

export interface GoogleSheetsStoreOptions {
  readonly spreadsheetId: string;
  readonly client: SheetsClient;
  /** How long a lease waits for concurrent takers before reading back who won. */
  readonly leaseSettleMs?: number;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (info: { what: string; attempt: number; delayMs: number; status: number | undefined }) => void;
  /**
   * How long the tab list and grid sizes (one spreadsheets.get) are trusted before a read lists them
   * again: staff may add tabs or rows, which count against Google's cell limit. Default an hour.
   */
  readonly listingMaxAgeMs?: number;
}

type Grid = unknown[][];

/** How often a write re-checks and repairs positions when staff keep moving rows. */
const MAX_REPAIR_ROUNDS = 3;

/** Rows added at a time when a tab needs more. */
const GROW_ROWS = 5000;

interface Positions {
  idAt(tab: string, row: number): string;
  rowsOf(tab: string, id: string): number[];
  column(tab: string, header: string): number;
}

/** For a write with no cell changes: nothing to place. */
const NO_POSITIONS: Positions = {
  idAt: () => '',
  rowsOf: () => [],
  column: () => {
    throw new Error('no cell changes to place');
  },
};

/** Where one cell write goes: the row its ID is on now. */
interface Placement {
  readonly write: CellWrite;
  readonly row: number;
}

/**
 * Each row's cells as read, by ID, for the rows with a system cell filled: enough to undo a value that
 * landed on the wrong row. A first sync's rows have none.
 */
function systemCellsById(tab: TabContract, rows: readonly SheetRow[]): SystemCellsRead {
  const headers = tab.columns.filter((c) => c.owner === 'system').map((c) => c.header);
  const byId = new Map<string, Readonly<Record<string, CellValue>>>();
  for (const row of rows) {
    const id = String(row.cells[tab.idColumn!] ?? '').trim();
    if (id && headers.some((h) => (row.cells[h] ?? null) !== null)) byId.set(id, row.cells);
  }
  return byId;
}

type SystemCellsRead = ReadonlyMap<string, Readonly<Record<string, CellValue>>>;

/** A whole system tab, padded with blanks to clear what the old content had beyond the new. */
function gridRange(tab: string, grid: GridValue[][], old: unknown[][]): sheets_v4.Schema$ValueRange {
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

/** One values.batchGet of unformatted values by rows: each range's rows, in the order asked for. */
async function batchGetValues(
  api: SheetsClient['api'],
  params: { spreadsheetId: string; ranges: string[]; dateTimeRenderOption?: string },
): Promise<{ data: Grid[] }> {
  const response = await api.spreadsheets.values.batchGet({
    valueRenderOption: 'UNFORMATTED_VALUE',
    majorDimension: 'ROWS',
    ...params,
  });
  const { valueRanges } = answerOf(response);
  return { data: params.ranges.map((_range, i) => (valueRanges?.[i]?.values ?? []) as Grid) };
}

/** The cell writes' values by tab and ID. */
function valuesById(cells: readonly CellWrite[]): Map<string, Map<string, CellWrite['values']>> {
  const byTab = new Map<string, Map<string, CellWrite['values']>>();
  for (const w of cells) {
    if (!byTab.has(w.tab)) byTab.set(w.tab, new Map());
    byTab.get(w.tab)!.set(w.id, w.values);
  }
  return byTab;
}

/** Finds where each cell write goes now. An ID on no row (deleted since the read) is reported. */
function place(cells: readonly CellWrite[], positions: Positions) {
  const placed = { placements: [] as Placement[], cellsWritten: 0, missingIds: [] as string[] };
  const checked = new Set<string>();
  for (const write of cells) {
    const headers = Object.keys(write.values);
    // Every column is found now: a missing one fails before anything is sent.
    for (const header of headers) {
      const key = `${write.tab}\u0000${header}`;
      if (checked.has(key)) continue;
      positions.column(write.tab, header);
      checked.add(key);
    }
    const rows = positions.rowsOf(write.tab, write.id);
    if (rows.length === 0) placed.missingIds.push(write.id);
    for (const row of rows) {
      placed.placements.push({ write, row });
      placed.cellsWritten += headers.length;
    }
  }
  return placed;
}

/** One row's system cells as one range: they sit side by side, and a null leaves an unchanged cell alone. */
function rowRange(write: CellWrite, row: number, positions: Positions): sheets_v4.Schema$ValueRange {
  const headers = Object.keys(write.values);
  const cols = headers.map((h) => positions.column(write.tab, h));
  const first = Math.min(...cols);
  const values = new Array<string | number | null>(Math.max(...cols) - first + 1).fill(null);
  headers.forEach((h, i) => {
    values[cols[i]! - first] = toApiValue(write.values[h]!);
  });
  return {
    range: `${quoteTab(write.tab)}!${columnLetter(first + 1)}${row}:${columnLetter(first + values.length)}${row}`,
    values: [values],
  };
}

interface ReadState {
  /** The whole-tab system grids (Issues, summaries), to write them only when they change. */
  readonly grids: Map<string, Grid>;
  /** Each row's system cells as read, by tab and ID: enough to undo a value that landed on the wrong row. */
  readonly system: Map<string, SystemCellsRead>;
}

/**
 * The tracker as a Google spreadsheet. A cycle costs a constant number of calls whatever the row
 * count: one values.batchGet to read, and for a write one batchGet of the ID columns (positions are
 * resolved by BUCP ID right before writing, so a sort or insert by staff in between cannot shift a
 * value onto another row) and one values.batchUpdate in RAW mode.
 */
export class GoogleSheetsTrackerStore implements TrackerStore {
  readonly kind = 'google-sheets';
  readonly spreadsheetId: string;
  private readonly client: SheetsClient;
  private readonly retry: RetryPolicy;
  private readonly onRetry: GoogleSheetsStoreOptions['onRetry'];
  readonly lease: SheetsLease;
  private sheetIds: Map<string, number> | undefined;
  private rowCounts = new Map<string, number>();
  private columnCounts = new Map<string, number>();
  private listedAt = 0;
  private readonly listingMaxAgeMs: number;
  private last: ReadState | undefined;
  private accountEmail: string | undefined;

  constructor(options: GoogleSheetsStoreOptions) {
    this.spreadsheetId = options.spreadsheetId;
    this.client = options.client;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRetry = options.onRetry;
    this.listingMaxAgeMs = options.listingMaxAgeMs ?? 3_600_000;
    this.lease = new SheetsLease({
      api: this.client.api,
      spreadsheetId: this.spreadsheetId,
      call: (what, request) => this.call(what, request),
      ...(options.leaseSettleMs === undefined ? {} : { settleMs: options.leaseSettleMs }),
    });
  }

  describe(): string {
    return `https://docs.google.com/spreadsheets/d/${this.spreadsheetId}/edit`;
  }

  rowLink(tab: string, _id: string, rowNumber: number): string {
    const gid = this.sheetIds?.get(tab);
    return flat`${this.describe()}#gid=${gid ?? 0}&range=A${rowNumber}`;
  }

  private async call<T>(what: string, request: () => Promise<{ data: T }>): Promise<T> {
    this.accountEmail ??= await this.client.accountEmail();
    const response = await withRetry(
      request,
      { what, spreadsheetId: this.spreadsheetId, accountEmail: this.accountEmail },
      this.retry,
      (info) => this.onRetry?.({ what, ...info }),
    );
    return response.data;
  }

  /** Tab titles, IDs and grid sizes, listed again once the last listing is older than listingMaxAgeMs. */
  private async loadSheetIds(force = false): Promise<Map<string, number>> {
    if (this.sheetIds && !force && Date.now() - this.listedAt < this.listingMaxAgeMs) return this.sheetIds;
    const data = await this.call('spreadsheets.get', () =>
      this.client.api.spreadsheets.get({
        spreadsheetId: this.spreadsheetId,
        fields: 'sheets.properties(sheetId,title,gridProperties(rowCount,columnCount))',
      }),
    );
    const sheets = (data.sheets ?? []).map((s) => s.properties ?? {});
    this.sheetIds = new Map(sheets.map((p) => [p.title ?? '', p.sheetId ?? 0]));
    this.rowCounts = new Map(sheets.map((p) => [p.title ?? '', p.gridProperties?.rowCount ?? 0]));
    this.columnCounts = new Map(sheets.map((p) => [p.title ?? '', p.gridProperties?.columnCount ?? 0]));
    this.listedAt = Date.now();
    return this.sheetIds;
  }

  /**
   * How many of Google's 10 million cells the spreadsheet uses, at least: every tab's grid as last
   * listed, with the tabs just read grown to the rows they returned (the Activity Log grows each cycle).
   */
  private capacity(read: ReadonlyMap<string, GridTable>): StoreCapacity {
    let used = 0;
    for (const [tab, columns] of this.columnCounts) {
      used += Math.max(this.rowCounts.get(tab) ?? 0, read.get(tab)?.rowsRead ?? 0) * columns;
    }
    return { used, limit: GOOGLE_CELL_LIMIT, limitName: GOOGLE_CELL_LIMIT_NAME };
  }

  /**
   * Value writes cannot reach past a tab's grid, so a system tab that outgrows it (a long Issues tab)
   * gets more rows first, in chunks: one spreadsheets.batchUpdate, and only when needed.
   */
  private async ensureRows(needed: ReadonlyMap<string, number>): Promise<void> {
    await this.loadSheetIds();
    const requests: sheets_v4.Schema$Request[] = [];
    for (const [tab, rows] of needed) {
      const have = this.rowCounts.get(tab) ?? 0;
      const sheetId = this.sheetIds?.get(tab);
      if (rows <= have || sheetId === undefined) continue;
      const grow = Math.max(rows - have, GROW_ROWS);
      requests.push({ appendDimension: { sheetId, dimension: 'ROWS', length: grow } });
      this.rowCounts.set(tab, have + grow);
    }
    if (requests.length === 0) return;
    await this.call('spreadsheets.batchUpdate', () =>
      this.client.api.spreadsheets.batchUpdate({ spreadsheetId: this.spreadsheetId, requestBody: { requests } }),
    );
  }

  async read(): Promise<TrackerSnapshot> {
    try {
      return await this.readOnce();
    } catch (error) {
      // The remembered tab list is stale (a tab was deleted or renamed): look again, once.
      if (!(error instanceof SheetsApiError && error.status === 400)) throw error;
      await this.loadSheetIds(true);
      return this.readOnce();
    }
  }

  private async readOnce(): Promise<TrackerSnapshot> {
    const ids = await this.loadSheetIds();
    const problems: string[] = [];
    const wanted = [...TRACKER_TABS.map((t) => t.name), ...SUMMARY_TABS];
    for (const name of wanted) {
      if (!ids.has(name)) problems.push(`The spreadsheet has no "${name}" tab: run \`bucp init\` to add it`);
    }
    const present = wanted.filter((t) => ids.has(t));
    const grids = await this.call('values.batchGet', () =>
      batchGetValues(this.client.api, {
        spreadsheetId: this.spreadsheetId,
        ranges: present.map(quoteTab),
        dateTimeRenderOption: 'SERIAL_NUMBER',
      }),
    );
    const gridOf = new Map(present.map((name, i) => [name, grids[i]!]));
    const system = new Map<string, SystemCellsRead>();
    const read = new Map<string, GridTable>();
    for (const tab of TRACKER_TABS) {
      const table = tableFromGrid(tab.name, gridOf.get(tab.name) ?? [], toCellValue);
      if (tab.idColumn) system.set(tab.name, systemCellsById(tab, table.table.rows));
      read.set(tab.name, table);
      if (ids.has(tab.name)) problems.push(...table.problems, ...contractProblems(tab, new Set(table.table.headers)));
    }
    // Grids are kept as read for the system tabs rewritten whole (Issues, summaries), to compare before a write.
    const kept = new Map(
      [...gridOf].filter(([name]) => {
        const contract = TRACKER_TABS.find((t) => t.name === name);
        return !contract?.idColumn && !contract?.appendOnly;
      }),
    );
    this.last = { grids: kept, system };
    return {
      proposals: read.get(TABS.proposals)!.table,
      disputes: read.get(TABS.disputes)!.table,
      activity: read.get(TABS.activity)!.table,
      layoutProblems: problems,
      capacity: this.capacity(read),
    };
  }

  async write(plan: WritePlan): Promise<WriteResult> {
    this.last ??= { grids: new Map<string, Grid>(), system: new Map() };
    const last = this.last;
    const tabGrids: { tab: string; grid: GridValue[][] }[] = [];
    if (plan.issues) tabGrids.push({ tab: TABS.issues, grid: [[...ISSUE_HEADERS], ...plan.issues.map(issueRow)] });
    for (const s of plan.summaries ?? []) tabGrids.push({ tab: s.tab, grid: s.rows.map((r) => [...r]) });
    const changedGrids = tabGrids.filter(
      ({ tab, grid }) => normalizedGrid((last.grids.get(tab) as GridValue[][]) ?? []) !== normalizedGrid(grid),
    );
    for (const write of plan.cells) {
      for (const header of Object.keys(write.values)) assertSystemColumn(write.tab, header);
    }
    if (plan.cells.length === 0 && plan.appendActivity.length === 0 && changedGrids.length === 0) {
      return { cellsWritten: 0, rowsAppended: 0, missingIds: [], retriedAfterConcurrentEdit: 0 };
    }

    // Where each ID is now, read right before the write: staff may have sorted or inserted rows since the cycle read.
    let positions = plan.cells.length > 0 ? await this.readPositions() : NO_POSITIONS;
    const first = place(plan.cells, positions);
    const grids: sheets_v4.Schema$ValueRange[] = [];
    const needed = new Map<string, number>();
    for (const { tab, grid } of changedGrids) {
      const range = gridRange(tab, grid, (last.grids.get(tab) ?? []) as unknown[][]);
      needed.set(tab, range.values!.length);
      grids.push(range);
    }
    // The Activity Log first: it is the record of what was sent, and must not depend on the cell write.
    if (plan.appendActivity.length > 0) {
      // values.append grows the grid as the log grows. If a retry repeats an append whose answer was
      // lost, the repeated lines carry the same key and time, and the log reader skips them.
      await this.call('values.append', () =>
        this.client.api.spreadsheets.values.append({
          spreadsheetId: this.spreadsheetId,
          range: `${quoteTab(TABS.activity)}!A:${columnLetter(ACTIVITY_HEADERS.length)}`,
          valueInputOption: 'RAW',
          insertDataOption: 'INSERT_ROWS',
          fields: 'updates.updatedRows',
          requestBody: { values: plan.appendActivity.map(activityRow) },
        }),
      );
    }
    await this.ensureRows(needed);
    await this.batchUpdate(first, positions, grids);
    for (const { tab, grid } of changedGrids) last.grids.set(tab, grid);

    // Verify: if staff moved rows during the write, put every moved value where it belongs.
    let written = first;
    let repairs = 0;
    let wanted: Map<string, Map<string, CellWrite['values']>> | undefined;
    for (let round = 0; round < MAX_REPAIR_ROUNDS && written.placements.length > 0; round += 1) {
      positions = await this.readPositions();
      const now = positions;
      const moved = written.placements.filter(({ write, row }) => now.idAt(write.tab, row) !== write.id);
      if (moved.length === 0) break;
      repairs += 1;
      // Each ID's own values, to give back to a row that took another's: built only when rows moved.
      const ownValues = (wanted ??= valuesById(plan.cells));
      const fix: sheets_v4.Schema$ValueRange[] = [];
      for (const { write, row } of moved) {
        const { tab } = write;
        // The row that took a value meant for another proposal gets its own value back.
        const occupant = positions.idAt(tab, row);
        if (!occupant) continue;
        for (const header of Object.keys(write.values)) {
          const own = ownValues.get(tab)?.get(occupant)?.[header];
          const value = own ? toApiValue(own) : this.snapshotValue(tab, occupant, header);
          const c = positions.column(tab, header);
          fix.push({ range: `${quoteTab(tab)}!${columnLetter(c + 1)}${row}`, values: [[value]] });
        }
      }
      const retarget = place([...new Set(moved.map((p) => p.write))], positions);
      await this.batchUpdate(retarget, positions, fix);
      written = retarget;
    }
    return {
      cellsWritten: first.cellsWritten,
      rowsAppended: plan.appendActivity.length,
      missingIds: first.missingIds,
      retriedAfterConcurrentEdit: repairs,
    };
  }

  /** One values.batchUpdate: the placed cell writes, then `ranges`. */
  private async batchUpdate(
    placed: { readonly placements: readonly Placement[] },
    positions: Positions,
    ranges: readonly sheets_v4.Schema$ValueRange[],
  ): Promise<void> {
    const data = [...placed.placements.map(({ write, row }) => rowRange(write, row, positions)), ...ranges];
    if (data.length === 0) return;
    // RAW: staff text starting with =, +, - or @ never becomes a formula in anything we write.
    await this.call('values.batchUpdate', () =>
      this.client.api.spreadsheets.values.batchUpdate({
        spreadsheetId: this.spreadsheetId,
        // Google answers with one entry per range unless asked for less: 10,000 rows are 10,000 entries.
        fields: 'totalUpdatedCells',
        requestBody: { valueInputOption: 'RAW', data },
      }),
    );
  }

  /** The header rows and ID columns of the ID-keyed tabs: one call. */
  private async readPositions(): Promise<Positions> {
    const idTabs = TRACKER_TABS.filter((t) => t.idColumn);
    // Each ID-keyed tab's header row, then its column A (the ID, as the contract places it).
    const ranges = await this.call('values.batchGet', () =>
      batchGetValues(this.client.api, {
        spreadsheetId: this.spreadsheetId,
        ranges: [...idTabs.map((t) => `${quoteTab(t.name)}!1:1`), ...idTabs.map((t) => `${quoteTab(t.name)}!A:A`)],
      }),
    );
    const columnsOf = new Map<string, ReadonlyMap<string, number>>();
    const idColumns = new Map<string, unknown[][]>();
    for (const [i, tab] of idTabs.entries()) {
      const { columns } = readHeaderRow(tab.name, ranges[i]![0] ?? []);
      columnsOf.set(tab.name, columns);
      const idIndex = columns.get(tab.idColumn!) ?? -1;
      // The contract puts the ID in column A; if staff moved it, its letter comes from the fresh header.
      idColumns.set(
        tab.name,
        idIndex === 0 || idIndex < 0 ? ranges[idTabs.length + i]! : await this.readColumn(tab.name, idIndex),
      );
    }
    // One row number per ID; only IDs on several rows get a list. A big tab has 100,000 IDs.
    const ids = new Map<string, string[]>();
    const rowOf = new Map<string, Map<string, number>>();
    const moreRows = new Map<string, Map<string, number[]>>();
    for (const [tab, cells] of idColumns) {
      const column = cells.map((r) => String(r?.[0] ?? '').trim());
      ids.set(tab, column);
      const single = new Map<string, number>();
      const several = new Map<string, number[]>();
      column.forEach((id, i) => {
        if (i === 0 || !id) return;
        const known = single.get(id);
        if (known === undefined) single.set(id, i + 1);
        else several.set(id, [...(several.get(id) ?? [known]), i + 1]);
      });
      rowOf.set(tab, single);
      moreRows.set(tab, several);
    }
    return {
      idAt: (tab, row) => ids.get(tab)?.[row - 1] ?? '',
      rowsOf: (tab, id) => {
        const row = rowOf.get(tab)?.get(id);
        return row === undefined ? [] : (moreRows.get(tab)?.get(id) ?? [row]);
      },
      column: (tab, header) => {
        const c = columnsOf.get(tab)?.get(header) ?? -1;
        if (c < 0) throw new Error(`The "${tab}" tab lacks the column "${header}": run \`bucp init\``);
        return c;
      },
    };
  }

  /** A system cell as the cycle read it, to restore a row that briefly took another row's value. */
  private snapshotValue(tab: string, id: string, header: string): string | number {
    const value = this.last?.system.get(tab)?.get(id)?.[header];
    return typeof value === 'string' || typeof value === 'number' ? value : '';
  }

  private async readColumn(tab: string, index: number): Promise<unknown[][]> {
    const letter = columnLetter(index + 1);
    const [column] = await this.call('values.batchGet', () =>
      batchGetValues(this.client.api, {
        spreadsheetId: this.spreadsheetId,
        ranges: [`${quoteTab(tab)}!${letter}:${letter}`],
      }),
    );
    return column!;
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    const report = await ensureSpreadsheetLayout({
      api: this.client.api,
      spreadsheetId: this.spreadsheetId,
      layout,
      editorEmail: await this.client.accountEmail(),
      call: (what, request) => this.call(what, request),
    });
    this.sheetIds = undefined;
    await this.loadSheetIds(true);
    return report;
  }
}

/** The restricted spreadsheet. Only its BUCP ID column is ever read. */
export class GoogleSheetsRestrictedStore implements RestrictedStore {
  readonly spreadsheetId: string;
  private readonly client: SheetsClient;
  private readonly retry: RetryPolicy;

  constructor(options: GoogleSheetsStoreOptions) {
    this.spreadsheetId = options.spreadsheetId;
    this.client = options.client;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  describe(): string {
    return `https://docs.google.com/spreadsheets/d/${this.spreadsheetId}/edit`;
  }

  private async call<T>(what: string, request: () => Promise<{ data: T }>): Promise<T> {
    const accountEmail = await this.client.accountEmail();
    return (await withRetry(request, { what, spreadsheetId: this.spreadsheetId, accountEmail }, this.retry)).data;
  }

  async recordIds(): Promise<ReadonlySet<string>> {
    // The contract puts BUCP ID in column A; only that column crosses the network.
    const [column] = await this.call('values.batchGet', () =>
      batchGetValues(this.client.api, {
        spreadsheetId: this.spreadsheetId,
        ranges: [`${quoteTab(RESTRICTED_TAB.name)}!A:A`],
      }),
    );
    const [header, ...ids] = column!.map((row) => String(row[0] ?? '').trim());
    if (header !== 'BUCP ID') {
      throw new Error(
        `The "${RESTRICTED_TAB.name}" tab of ${this.describe()} must start with a "BUCP ID" column: run \`bucp init\``,
      );
    }
    return new Set(ids.filter((id) => id !== ''));
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    return ensureSpreadsheetLayout({
      api: this.client.api,
      spreadsheetId: this.spreadsheetId,
      layout,
      editorEmail: await this.client.accountEmail(),
      call: (what, request) => this.call(what, request),
    });
  }
}
