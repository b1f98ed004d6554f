import type { sheets_v4 } from '@googleapis/sheets';
import { ACTIVITY_HEADERS, type ActivityEvent, activityRow } from '../core/activity.ts';
import type { CellValue } from '../core/cells.ts';
import { OPTIONAL_TABS, REFERENCE_TABS, RESTRICTED_TAB, SUMMARY_TABS, TABS, TRACKER_TABS } from '../core/contract.ts';
import { columnLetter, type WorkbookLayout } from '../core/layout.ts';
import { type RestrictedRecord, type StaffImportPlan, mergeRestricted } from '../core/import-plan.ts';
import type {
  LayoutReport,
  RestrictedImportResult,
  RestrictedImportTarget,
  RestrictedStore,
  StaffImportResult,
  StaffImportTarget,
  StoreCapacity,
  TrackerSnapshot,
  TrackerStore,
  WritePlan,
  WriteResult,
} from '../core/ports.ts';
import type { CellWrite } from '../core/system-cells.ts';
import { quoteTab } from './google/a1.ts';
import { SheetsLease } from './google/lease.ts';
import {
  type CellsById,
  type Grid,
  type GridWrite,
  type Placement,
  type Positions,
  type TabPositions,
  NO_POSITIONS,
  cellsById,
  changedGrids,
  movedPlacements,
  placeWrites,
  restoreRanges,
  tabPositions,
  toApiValue,
} from './google/placement.ts';
import { ensureSpreadsheetLayout } from './google/provision.ts';
import { spreadsheetUrl } from './google/spreadsheet-url.ts';
import {
  type RetryPolicy,
  type RetryReport,
  type SheetsClient,
  GOOGLE_CELL_LIMIT,
  GOOGLE_CELL_LIMIT_NAME,
  JSON_REQUEST,
  SheetsApiError,
  SpreadsheetTransport,
  jsonBody,
} from './google/transport.ts';
import { readValueRanges } from './google/value-ranges.ts';
import {
  type GridTable,
  TableReader,
  assertStaffColumn,
  assertSystemColumn,
  contractProblems,
  readHeaderRow,
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

export interface GoogleSheetsStoreOptions {
  readonly spreadsheetId: string;
  readonly client: SheetsClient;
  /** How long a lease waits for concurrent takers before reading back who won. */
  readonly leaseSettleMs?: number;
  readonly retry?: RetryPolicy;
  readonly onRetry?: RetryReport;
  /**
   * How long the tab list and grid sizes (one spreadsheets.get) are trusted before a read lists them
   * again: staff may add tabs or rows, which count against Google's cell limit. Default an hour.
   */
  readonly listingMaxAgeMs?: number;
}

/** How often a write re-checks and repairs positions when staff keep moving rows. */
const MAX_REPAIR_ROUNDS = 3;

/** Rows added at a time when a tab needs more. */
const GROW_ROWS = 5000;

/**
 * One values.batchGet of unformatted values by rows, read as the answer arrives: `onRow(rangeIndex, row)`
 * for each row, in order. Parsed whole, the answer for 10,000 proposals and their Activity Log lifts
 * the cycle's peak memory past 250 MB; read row by row, it never sits in memory whole. Call it inside a
 * retried request: a try that fails starts over.
 */
async function streamValues(
  transport: SpreadsheetTransport,
  ranges: string[],
  onRow: (rangeIndex: number, row: unknown[]) => void,
  options: { dateTimeRenderOption?: string } = {},
): Promise<void> {
  const response = await transport.api.spreadsheets.values.batchGet(
    {
      spreadsheetId: transport.spreadsheetId,
      ranges,
      valueRenderOption: 'UNFORMATTED_VALUE',
      majorDimension: 'ROWS',
      ...options,
    },
    { responseType: 'stream' },
  );
  await readValueRanges(response.data as unknown as AsyncIterable<Uint8Array>, onRow);
}

/** The rows of each range, for the small reads: header rows and ID columns. */
function batchGetGrids(transport: SpreadsheetTransport, ranges: string[]): Promise<Grid[]> {
  return transport.call('values.batchGet', async () => {
    const grids: Grid[] = ranges.map(() => []);
    await streamValues(transport, ranges, (i, row) => grids[i]?.push(row));
    return { data: grids };
  });
}

/** The system tabs a write rewrites whole (Issues, summaries): every tab read but the ID-keyed and append-only. */
function rewrittenWhole(name: string): boolean {
  const contract = TRACKER_TABS.find((t) => t.name === name);
  return !contract?.idColumn && !contract?.appendOnly;
}

/**
 * What a write needs of the tabs as the store last saw them. The store keeps it from a cycle's read to
 * its writes, so the TrackerStore port stays plain (the core never carries an adapter's state); the
 * write hands it to each step that needs it.
 */
interface ReadState {
  /** The system tabs rewritten whole (Issues, summaries) as last read or written: rewritten when they change. */
  readonly grids: ReadonlyMap<string, Grid>;
  /** The ID-keyed tabs' system cells as read: to give a row that briefly took another's value its own back. */
  readonly cells: CellsById;
}

/** What a read leaves for the writes after it. */
function readState(grids: ReadonlyMap<string, Grid>, tables: ReadonlyMap<string, GridTable>): ReadState {
  return {
    grids,
    cells: new Map(
      TRACKER_TABS.filter((t) => t.idColumn).map((t) => [t.name, cellsById(t, tables.get(t.name)!.table.rows)]),
    ),
  };
}

const NOTHING_WRITTEN: WriteResult = {
  cellsWritten: 0,
  rowsAppended: 0,
  missingIds: [],
  retriedAfterConcurrentEdit: 0,
};

/**
 * The tracker as a Google spreadsheet. A cycle costs a constant number of calls whatever the row
 * count: one values.batchGet to read, and for a write one batchGet of the ID columns (positions are
 * resolved by BUCP ID right before writing, so a sort or insert by staff in between cannot shift a
 * value onto another row) and one values.batchUpdate in RAW mode.
 */
export class GoogleSheetsTrackerStore implements TrackerStore, StaffImportTarget {
  readonly kind = 'google-sheets';
  readonly spreadsheetId: string;
  private readonly transport: SpreadsheetTransport;
  readonly lease: SheetsLease;
  private sheetIds: Map<string, number> | undefined;
  private rowCounts = new Map<string, number>();
  private columnCounts = new Map<string, number>();
  private listedAt = 0;
  private readonly listingMaxAgeMs: number;
  private lastRead: ReadState = { grids: new Map(), cells: new Map() };

  constructor(options: GoogleSheetsStoreOptions) {
    this.spreadsheetId = options.spreadsheetId;
    this.transport = new SpreadsheetTransport(options);
    this.listingMaxAgeMs = options.listingMaxAgeMs ?? 3_600_000;
    this.lease = new SheetsLease({
      api: this.transport.api,
      spreadsheetId: this.spreadsheetId,
      call: this.transport.call,
      ...(options.leaseSettleMs === undefined ? {} : { settleMs: options.leaseSettleMs }),
    });
  }

  describe(): string {
    return spreadsheetUrl(this.spreadsheetId);
  }

  rowLink(tab: string, _id: string, rowNumber: number): string {
    const gid = this.sheetIds?.get(tab);
    return `${this.describe()}#gid=${gid ?? 0}&range=A${rowNumber}`;
  }

  /** Tab titles, IDs and grid sizes, listed again once the last listing is older than listingMaxAgeMs. */
  private async loadSheetIds(force = false): Promise<Map<string, number>> {
    if (this.sheetIds && !force && Date.now() - this.listedAt < this.listingMaxAgeMs) return this.sheetIds;
    const data = await this.transport.call('spreadsheets.get', () =>
      this.transport.api.spreadsheets.get({
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
  private async ensureRows(grids: readonly GridWrite[]): Promise<void> {
    await this.loadSheetIds();
    const requests: sheets_v4.Schema$Request[] = [];
    for (const { tab, range } of grids) {
      const rows = range.values!.length;
      const have = this.rowCounts.get(tab) ?? 0;
      const sheetId = this.sheetIds?.get(tab);
      if (rows <= have || sheetId === undefined) continue;
      const grow = Math.max(rows - have, GROW_ROWS);
      requests.push({ appendDimension: { sheetId, dimension: 'ROWS', length: grow } });
      this.rowCounts.set(tab, have + grow);
    }
    if (requests.length === 0) return;
    await this.transport.call('spreadsheets.batchUpdate', () =>
      this.transport.api.spreadsheets.batchUpdate({ spreadsheetId: this.spreadsheetId, requestBody: { requests } }),
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
    const missingOptional: string[] = [];
    const wanted = [...TRACKER_TABS.map((t) => t.name), ...SUMMARY_TABS, ...REFERENCE_TABS];
    for (const name of wanted) {
      if (ids.has(name)) continue;
      if (OPTIONAL_TABS.includes(name)) missingOptional.push(name);
      else problems.push(`The spreadsheet has no "${name}" tab: run \`bucp init\` to add it`);
    }
    const present = wanted.filter((t) => ids.has(t));
    const { tables, grids } = await this.transport.call('values.batchGet', async () => {
      // Made afresh on each try: a retried read starts over.
      const readers = new Map(TRACKER_TABS.map((t) => [t.name, new TableReader(t.name, toCellValue)]));
      const grids = new Map(present.filter(rewrittenWhole).map((name) => [name, [] as Grid]));
      const onRow = (i: number, row: unknown[]) => {
        readers.get(present[i]!)?.add(row);
        grids.get(present[i]!)?.push(row);
      };
      await streamValues(this.transport, present.map(quoteTab), onRow, { dateTimeRenderOption: 'SERIAL_NUMBER' });
      return { data: { tables: new Map([...readers].map(([name, reader]) => [name, reader.finish()])), grids } };
    });
    for (const tab of TRACKER_TABS) {
      const { table, problems: headerProblems } = tables.get(tab.name)!;
      if (ids.has(tab.name)) problems.push(...headerProblems, ...contractProblems(tab, new Set(table.headers)));
    }
    this.lastRead = readState(grids, tables);
    return {
      proposals: tables.get(TABS.proposals)!.table,
      disputes: tables.get(TABS.disputes)!.table,
      tasks: tables.get(TABS.tasks)!.table,
      activity: tables.get(TABS.activity)!.table,
      layoutProblems: problems,
      missingOptionalTabs: missingOptional,
      capacity: this.capacity(tables),
    };
  }

  /**
   * Places each cell write on the row its ID is on now, appends the Activity Log, rewrites the whole
   * tabs that changed, then verifies the placement and repairs what staff moved in the meantime.
   */
  async write(plan: WritePlan): Promise<WriteResult> {
    for (const write of plan.cells) {
      for (const header of Object.keys(write.values)) assertSystemColumn(write.tab, header);
    }
    const state = this.lastRead;
    // An optional tab the spreadsheet lacks (see the read's layout warnings) waits for `bucp init`.
    const sheetIds = plan.summaries?.some((t) => OPTIONAL_TABS.includes(t.tab)) ? await this.loadSheetIds() : undefined;
    const summaries = plan.summaries?.filter((t) => !OPTIONAL_TABS.includes(t.tab) || sheetIds?.has(t.tab));
    const grids = changedGrids({ ...plan, ...(summaries ? { summaries } : {}) }, state.grids);
    if (plan.cells.length === 0 && plan.appendActivity.length === 0 && grids.length === 0) return NOTHING_WRITTEN;
    // Where each ID is now, read right before the write: staff may have sorted or inserted rows since the cycle read.
    const placed = placeWrites(plan.cells, plan.cells.length > 0 ? await this.readPositions() : NO_POSITIONS);
    // The Activity Log first: it is the record of what was sent, and must not depend on the cell write.
    await this.appendActivity(plan.appendActivity);
    await this.ensureRows(grids);
    await this.sendWrites([...placed.placements.map((p) => p.range), ...grids.map((g) => g.range)]);
    this.lastRead = { ...state, grids: new Map([...state.grids, ...grids.map((g) => [g.tab, g.grid] as const)]) };
    const repairs = await this.repairMoved(placed.placements, plan.cells, state.cells);
    return {
      cellsWritten: placed.cellsWritten,
      rowsAppended: plan.appendActivity.length,
      missingIds: [...placed.missingIds],
      retriedAfterConcurrentEdit: repairs,
    };
  }

  /**
   * values.append grows the grid as the log grows. If a retry repeats an append whose answer was lost,
   * the repeated lines carry the same key and time, and the log reader skips them.
   */
  private async appendActivity(events: readonly ActivityEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.transport.call('values.append', () =>
      this.transport.api.spreadsheets.values.append(
        {
          spreadsheetId: this.spreadsheetId,
          range: `${quoteTab(TABS.activity)}!A:${columnLetter(ACTIVITY_HEADERS.length)}`,
          valueInputOption: 'RAW',
          insertDataOption: 'INSERT_ROWS',
          fields: 'updates.updatedRows',
          requestBody: jsonBody({ values: events.map(activityRow) }),
        },
        JSON_REQUEST,
      ),
    );
  }

  /** One values.batchUpdate of the ranges, in RAW mode: staff text starting with =, +, - or @ never becomes a formula. */
  private async sendWrites(data: sheets_v4.Schema$ValueRange[]): Promise<void> {
    if (data.length === 0) return;
    await this.transport.call('values.batchUpdate', () =>
      this.transport.api.spreadsheets.values.batchUpdate(
        {
          spreadsheetId: this.spreadsheetId,
          // Google answers with one entry per range unless asked for less: 10,000 rows are 10,000 entries.
          fields: 'totalUpdatedCells',
          requestBody: jsonBody({ valueInputOption: 'RAW', data }),
        },
        JSON_REQUEST,
      ),
    );
  }

  /**
   * Reads the positions again to verify that each value landed on its own row. Where staff moved rows
   * during the write, a row that took another's value gets its own back, and the value goes where its
   * row is now; then it verifies again, up to MAX_REPAIR_ROUNDS times. Returns the rounds that repaired.
   */
  private async repairMoved(
    placements: readonly Placement[],
    cells: readonly CellWrite[],
    asRead: CellsById,
  ): Promise<number> {
    let written = placements;
    let rounds = 0;
    while (rounds < MAX_REPAIR_ROUNDS && written.length > 0) {
      const positions = await this.readPositions();
      const moved = movedPlacements(written, positions);
      if (moved.length === 0) break;
      rounds += 1;
      const restore = restoreRanges(moved, positions, cells, asRead);
      const retarget = placeWrites([...new Set(moved.map((p) => p.write))], positions);
      await this.sendWrites([...retarget.placements.map((p) => p.range), ...restore]);
      written = retarget.placements;
    }
    return rounds;
  }

  /** Where the ID-keyed tabs' columns and IDs are now: their header rows and ID columns, in one call. */
  private async readPositions(): Promise<Positions> {
    const sheetIds = await this.loadSheetIds();
    // An optional ID-keyed tab (Tasks) may not exist yet: asking for its range would fail the whole call.
    const idTabs = TRACKER_TABS.filter((t) => t.idColumn && sheetIds.has(t.name));
    // Each ID-keyed tab's header row, then its column A (the ID, as the contract places it).
    const ranges = await batchGetGrids(this.transport, [
      ...idTabs.map((t) => `${quoteTab(t.name)}!1:1`),
      ...idTabs.map((t) => `${quoteTab(t.name)}!A:A`),
    ]);
    const positions = new Map<string, TabPositions>();
    for (const [i, tab] of idTabs.entries()) {
      const { columns } = readHeaderRow(tab.name, ranges[i]![0] ?? []);
      const idIndex = columns.get(tab.idColumn!) ?? 0;
      // The contract puts the ID in column A; if staff moved it, its letter comes from the fresh header.
      const ids = idIndex === 0 ? ranges[idTabs.length + i]! : await this.readColumn(tab.name, idIndex);
      positions.set(tab.name, tabPositions(columns, ids));
    }
    return positions;
  }

  private async readColumn(tab: string, index: number): Promise<Grid> {
    const letter = columnLetter(index + 1);
    const [column] = await batchGetGrids(this.transport, [`${quoteTab(tab)}!${letter}:${letter}`]);
    return column!;
  }

  /**
   * Staff data from `bucp import`, in a constant number of calls: one batchGet of where the columns
   * and IDs are now, one values.append of every new row, and one values.batchUpdate of the fills.
   */
  async importStaff(plan: StaffImportPlan): Promise<StaffImportResult> {
    for (const row of [...plan.add, ...plan.fill]) {
      for (const header of Object.keys(row.values)) assertStaffColumn(TABS.proposals, header);
    }
    const positions = (await this.readPositions()).get(TABS.proposals)!;
    const result = await importRows(this.transport, TABS.proposals, positions, plan.add, plan.fill);
    // The grid grew by the appended rows: list it again before a cycle counts cells or places writes.
    this.listedAt = 0;
    return result;
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    const report = await ensureSpreadsheetLayout(this.transport, layout);
    this.sheetIds = undefined;
    await this.loadSheetIds(true);
    return report;
  }
}

/** The restricted spreadsheet. Only its BUCP ID column is ever read. */
export class GoogleSheetsRestrictedStore implements RestrictedStore, RestrictedImportTarget {
  readonly spreadsheetId: string;
  private readonly transport: SpreadsheetTransport;

  constructor(options: GoogleSheetsStoreOptions) {
    this.spreadsheetId = options.spreadsheetId;
    this.transport = new SpreadsheetTransport(options);
  }

  describe(): string {
    return spreadsheetUrl(this.spreadsheetId);
  }

  async recordIds(): Promise<ReadonlySet<string>> {
    // The contract puts BUCP ID in column A; only that column crosses the network.
    const [column] = await batchGetGrids(this.transport, [`${quoteTab(RESTRICTED_TAB.name)}!A:A`]);
    const [header, ...ids] = column!.map((row) => String(row[0] ?? '').trim());
    if (header !== 'BUCP ID') {
      throw new Error(
        `The "${RESTRICTED_TAB.name}" tab of ${this.describe()} must start with a "BUCP ID" column: run \`bucp init\``,
      );
    }
    return new Set(ids.filter((id) => id !== ''));
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    return ensureSpreadsheetLayout(this.transport, layout);
  }

  /**
   * Restricted content from `bucp import`, merged here with what the tab holds. Reads the tab whole
   * (one batchGet), then one values.append and one values.batchUpdate; only IDs and columns come back.
   */
  async importRecords(
    records: readonly RestrictedRecord[],
    options: { readonly overwrite: boolean; readonly dryRun: boolean },
  ): Promise<RestrictedImportResult> {
    if (records.length === 0) return { added: [], filled: [], conflicts: [], unchanged: 0 };
    const [grid] = await batchGetGrids(this.transport, [quoteTab(RESTRICTED_TAB.name)]);
    const [headerRow = [], ...rows] = grid!;
    const { columns } = readHeaderRow(RESTRICTED_TAB.name, headerRow);
    const idIndex = columns.get('BUCP ID') ?? 0;
    const existing = new Map<string, Record<string, CellValue>>();
    for (const row of rows) {
      const id = String(row[idIndex] ?? '').trim();
      if (id && !existing.has(id)) {
        existing.set(id, Object.fromEntries([...columns].map(([h, c]) => [h, toCellValue(row[c])])));
      }
    }
    const merge = mergeRestricted(existing, records, options.overwrite);
    if (options.dryRun) return merge.result;
    const text = (values: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(values).map(([h, v]) => [h, { kind: 'text', value: v } as const]));
    const idColumn = [headerRow, ...rows].map((row) => [row[idIndex]]);
    await importRows(
      this.transport,
      RESTRICTED_TAB.name,
      tabPositions(columns, idColumn),
      merge.add.map((r) => ({ id: r.id, values: { 'BUCP ID': { kind: 'text', value: r.id }, ...text(r.values) } })),
      merge.fill.map((f) => ({ id: f.id, values: text(f.values) })),
    );
    return merge.result;
  }
}

/** Appends rows (one values.append) and fills cells of rows found by ID (one values.batchUpdate), in RAW mode. */
async function importRows(
  transport: SpreadsheetTransport,
  tab: string,
  positions: TabPositions,
  add: StaffImportPlan['add'],
  fill: StaffImportPlan['fill'],
): Promise<StaffImportResult> {
  const columnOf = (header: string) => {
    const column = positions.columns.get(header);
    if (column === undefined) throw new Error(`The "${tab}" tab lacks the column "${header}": run \`bucp init\``);
    return column;
  };
  const width = Math.max(...positions.columns.values()) + 1;
  const missingIds: string[] = [];
  const data: sheets_v4.Schema$ValueRange[] = [];
  for (const row of fill) {
    const [sheetRow] = positions.rowsById.get(row.id) ?? [];
    if (sheetRow === undefined) {
      missingIds.push(row.id);
      continue;
    }
    for (const [header, value] of Object.entries(row.values)) {
      data.push({
        range: `${quoteTab(tab)}!${columnLetter(columnOf(header) + 1)}${sheetRow}`,
        values: [[toApiValue(value)]],
      });
    }
  }
  if (add.length > 0) {
    const values = add.map((row) => {
      // null skips a cell: the new row's other columns (the system ones among them) stay untouched.
      const cells: (string | number | null)[] = Array.from({ length: width }, () => null);
      for (const [header, value] of Object.entries(row.values)) cells[columnOf(header)] = toApiValue(value);
      return cells;
    });
    await transport.call('values.append', () =>
      transport.api.spreadsheets.values.append(
        {
          spreadsheetId: transport.spreadsheetId,
          range: `${quoteTab(tab)}!A:${columnLetter(width)}`,
          valueInputOption: 'RAW',
          // Into the empty rows below the table, which the template formatted (date columns, dropdowns);
          // the grid grows only past its end.
          insertDataOption: 'OVERWRITE',
          fields: 'updates.updatedRows',
          requestBody: jsonBody({ values }),
        },
        JSON_REQUEST,
      ),
    );
  }
  if (data.length > 0) {
    await transport.call('values.batchUpdate', () =>
      transport.api.spreadsheets.values.batchUpdate(
        {
          spreadsheetId: transport.spreadsheetId,
          fields: 'totalUpdatedCells',
          requestBody: jsonBody({ valueInputOption: 'RAW', data }),
        },
        JSON_REQUEST,
      ),
    );
  }
  return { rowsAdded: add.length, cellsFilled: data.length, missingIds };
}
