import type { sheets_v4 } from '@googleapis/sheets';
import { ACTIVITY_HEADERS, activityRow } from '../core/activity.ts';
import type { CellValue, SystemValue } from '../core/cells.ts';
import { RESTRICTED_TAB, SUMMARY_TABS, TABS, TRACKER_TABS } from '../core/contract.ts';
import { isoDateToSerial } from '../core/dates.ts';
import { ISSUE_HEADERS, issueRow } from '../core/issues-tab.ts';
import { columnLetter, type WorkbookLayout } from '../core/layout.ts';
import type {
  LayoutReport,
  RestrictedStore,
  TrackerSnapshot,
  TrackerStore,
  WritePlan,
  WriteResult,
} from '../core/ports.ts';
import { ensureSpreadsheetLayout } from './google/provision.ts';
import { type RetryPolicy, type SheetsClient, DEFAULT_RETRY, withRetry } from './google/transport.ts';
import { type GridValue, assertSystemColumn, contractProblems, normalizedGrid, tableFromGrid } from './table.ts';

const ERROR_VALUE = /^#(REF!|N\/A|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|ERROR!|SPILL!|CALC!)$/;

/** A value as the API gives it with UNFORMATTED_VALUE: dates arrive as serial numbers, errors as their text. */
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

export const quoteTab = (name: string) => `'${name.replace(/'/g, "''")}'`;

export interface GoogleSheetsStoreOptions {
  readonly spreadsheetId: string;
  readonly client: SheetsClient;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (info: { what: string; attempt: number; delayMs: number; status: number | undefined }) => void;
}

type Grid = unknown[][];

interface ReadState {
  readonly grids: Map<string, Grid>;
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
  private sheetIds: Map<string, number> | undefined;
  private last: ReadState | undefined;
  private accountEmail: string | undefined;

  constructor(options: GoogleSheetsStoreOptions) {
    this.spreadsheetId = options.spreadsheetId;
    this.client = options.client;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRetry = options.onRetry;
  }

  describe(): string {
    return `https://docs.google.com/spreadsheets/d/${this.spreadsheetId}/edit`;
  }

  rowLink(tab: string, _id: string, rowNumber: number): string {
    const gid = this.sheetIds?.get(tab);
    return `${this.describe()}#gid=${gid ?? 0}&range=A${rowNumber}`;
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

  /** Tab titles and IDs, fetched once per store: tabs are rarely added while the service runs. */
  private async loadSheetIds(force = false): Promise<Map<string, number>> {
    if (this.sheetIds && !force) return this.sheetIds;
    const data = await this.call('spreadsheets.get', () =>
      this.client.api.spreadsheets.get({
        spreadsheetId: this.spreadsheetId,
        fields: 'sheets.properties(sheetId,title)',
      }),
    );
    this.sheetIds = new Map((data.sheets ?? []).map((s) => [s.properties?.title ?? '', s.properties?.sheetId ?? 0]));
    return this.sheetIds;
  }

  async read(): Promise<TrackerSnapshot> {
    const ids = await this.loadSheetIds();
    const problems: string[] = [];
    const wanted = [...TRACKER_TABS.map((t) => t.name), ...SUMMARY_TABS];
    for (const tab of TRACKER_TABS) {
      if (!ids.has(tab.name)) problems.push(`The spreadsheet has no "${tab.name}" tab: run \`bucp init\` to add it`);
    }
    const present = wanted.filter((t) => ids.has(t));
    const data = await this.call('values.batchGet', () =>
      this.client.api.spreadsheets.values.batchGet({
        spreadsheetId: this.spreadsheetId,
        ranges: present.map(quoteTab),
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'SERIAL_NUMBER',
        majorDimension: 'ROWS',
      }),
    );
    const grids = new Map<string, Grid>();
    (data.valueRanges ?? []).forEach((range, i) => grids.set(present[i]!, (range.values ?? []) as Grid));
    this.last = { grids };
    const tables = new Map<string, ReturnType<typeof tableFromGrid>>();
    for (const tab of TRACKER_TABS) {
      const read = tableFromGrid(tab.name, grids.get(tab.name) ?? [], toCellValue);
      tables.set(tab.name, read);
      if (ids.has(tab.name)) problems.push(...read.problems, ...contractProblems(tab, new Set(read.columns.keys())));
    }
    return {
      proposals: tables.get(TABS.proposals)!.table,
      disputes: tables.get(TABS.disputes)!.table,
      activity: tables.get(TABS.activity)!.table,
      layoutProblems: problems,
    };
  }

  async write(plan: WritePlan): Promise<WriteResult> {
    const last = this.last ?? { grids: new Map<string, Grid>() };
    const tabGrids: { tab: string; grid: GridValue[][] }[] = [];
    if (plan.issues) tabGrids.push({ tab: TABS.issues, grid: [[...ISSUE_HEADERS], ...plan.issues.map(issueRow)] });
    for (const s of plan.summaries ?? []) tabGrids.push({ tab: s.tab, grid: s.rows.map((r) => [...r]) });
    const changedGrids = tabGrids.filter(
      ({ tab, grid }) => normalizedGrid((last.grids.get(tab) as GridValue[][]) ?? []) !== normalizedGrid(grid),
    );
    for (const write of plan.cells)
      for (const header of Object.keys(write.values)) assertSystemColumn(write.tab, header);
    if (plan.cells.length === 0 && plan.appendActivity.length === 0 && changedGrids.length === 0) {
      return { cellsWritten: 0, rowsAppended: 0, missingIds: [], retriedAfterConcurrentEdit: 0 };
    }

    // Where each ID is now, read right before the write: staff may have sorted or inserted rows.
    const idTabs = TRACKER_TABS.filter((t) => t.idColumn);
    const fresh = await this.call('values.batchGet', () =>
      this.client.api.spreadsheets.values.batchGet({
        spreadsheetId: this.spreadsheetId,
        ranges: [
          ...idTabs.map((t) => `${quoteTab(t.name)}!1:1`),
          ...idTabs.map((t) => `${quoteTab(t.name)}!A:A`),
          `${quoteTab(TABS.activity)}!A:A`,
        ],
        valueRenderOption: 'UNFORMATTED_VALUE',
        majorDimension: 'ROWS',
      }),
    );
    const ranges = fresh.valueRanges ?? [];
    const data: sheets_v4.Schema$ValueRange[] = [];
    const missingIds: string[] = [];
    let cellsWritten = 0;
    for (const [i, tab] of idTabs.entries()) {
      const writes = plan.cells.filter((w) => w.tab === tab.name);
      if (writes.length === 0) continue;
      const header = ((ranges[i]?.values ?? [])[0] ?? []).map((h) => String(h ?? '').trim());
      const col = (name: string) => header.indexOf(name);
      const idIndex = col(tab.idColumn!);
      // The ID column is usually A; when staff moved it, its letter comes from the fresh header.
      const idCells =
        idIndex === 0
          ? ((ranges[idTabs.length + i]?.values ?? []) as unknown[][])
          : await this.readColumn(tab.name, idIndex);
      const rowsById = new Map<string, number[]>();
      idCells.forEach((row, r) => {
        const id = String(row?.[0] ?? '').trim();
        if (r > 0 && id) rowsById.set(id, [...(rowsById.get(id) ?? []), r + 1]);
      });
      for (const write of writes) {
        const rows = rowsById.get(write.id);
        if (!rows) {
          missingIds.push(write.id);
          continue;
        }
        for (const rowNumber of rows) {
          for (const [headerName, value] of Object.entries(write.values)) {
            const c = col(headerName);
            if (c < 0) throw new Error(`The "${tab.name}" tab lacks the column "${headerName}": run \`bucp init\``);
            data.push({
              range: `${quoteTab(tab.name)}!${columnLetter(c + 1)}${rowNumber}`,
              values: [[toApiValue(value)]],
            });
            cellsWritten += 1;
          }
        }
      }
    }
    if (plan.appendActivity.length > 0) {
      // Appends go to exact rows after the last one: a retried write then lands on the same rows
      // instead of appending twice, as values.append would.
      const used = (ranges[idTabs.length * 2]?.values ?? []).length;
      const first = Math.max(used, 1) + 1;
      data.push({
        range: `${quoteTab(TABS.activity)}!A${first}:${columnLetter(ACTIVITY_HEADERS.length)}${first + plan.appendActivity.length - 1}`,
        values: plan.appendActivity.map(activityRow),
      });
    }
    for (const { tab, grid } of changedGrids) {
      const old = (last.grids.get(tab) ?? []) as unknown[][];
      const height = Math.max(old.length, grid.length, 1);
      const width = Math.max(1, ...old.map((r) => r.length), ...grid.map((r) => r.length));
      // Blank strings clear what the old content had beyond the new one, in the same request.
      const padded = Array.from({ length: height }, (_, r) =>
        Array.from({ length: width }, (_, c) => {
          const v = grid[r]?.[c];
          return v === null || v === undefined ? '' : v;
        }),
      );
      data.push({ range: `${quoteTab(tab)}!A1:${columnLetter(width)}${height}`, values: padded });
    }
    if (data.length > 0) {
      await this.call('values.batchUpdate', () =>
        this.client.api.spreadsheets.values.batchUpdate({
          spreadsheetId: this.spreadsheetId,
          // RAW: staff text starting with =, +, - or @ never becomes a formula in anything we write.
          requestBody: { valueInputOption: 'RAW', data },
        }),
      );
    }
    for (const { tab, grid } of changedGrids) last.grids.set(tab, grid);
    return { cellsWritten, rowsAppended: plan.appendActivity.length, missingIds, retriedAfterConcurrentEdit: 0 };
  }

  private async readColumn(tab: string, index: number): Promise<unknown[][]> {
    const letter = columnLetter(index + 1);
    const data = await this.call('values.get', () =>
      this.client.api.spreadsheets.values.get({
        spreadsheetId: this.spreadsheetId,
        range: `${quoteTab(tab)}!${letter}:${letter}`,
        valueRenderOption: 'UNFORMATTED_VALUE',
      }),
    );
    return (data.values ?? []) as unknown[][];
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
    const data = await this.call('values.get', () =>
      this.client.api.spreadsheets.values.get({
        spreadsheetId: this.spreadsheetId,
        range: `${quoteTab(RESTRICTED_TAB.name)}!A:A`,
        valueRenderOption: 'UNFORMATTED_VALUE',
      }),
    );
    const rows = (data.values ?? []) as unknown[][];
    if (String(rows[0]?.[0] ?? '').trim() !== 'BUCP ID') {
      throw new Error(
        `The "${RESTRICTED_TAB.name}" tab of ${this.describe()} must start with a "BUCP ID" column: run \`bucp init\``,
      );
    }
    return new Set(
      rows
        .slice(1)
        .map((r) => String(r[0] ?? '').trim())
        .filter((id) => id !== ''),
    );
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
