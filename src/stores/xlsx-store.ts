import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { ACTIVITY_HEADERS, activityRow } from '../core/activity.ts';
import type { CellValue, SheetTable, SystemValue } from '../core/cells.ts';
import { OPTIONAL_TABS, REFERENCE_TABS, RESTRICTED_TAB, SUMMARY_TABS, TABS, TRACKER_TABS } from '../core/contract.ts';
import { columnLetter, listRange, type TabLayout, type WorkbookLayout } from '../core/layout.ts';
import type { SummaryTable } from '../core/metrics.ts';
import {
  type RestrictedRecord,
  type StaffImportPlan,
  type StaffRowWrite,
  mergeRestricted,
} from '../core/import-plan.ts';
import type {
  LayoutReport,
  RestrictedImportResult,
  RestrictedImportTarget,
  RestrictedStore,
  StaffImportResult,
  StaffImportTarget,
  TrackerSnapshot,
  TrackerStore,
  WritePlan,
  WriteResult,
} from '../core/ports.ts';
import { ISSUE_HEADERS, issueRow } from '../core/issues-tab.ts';
import { FileLease } from './file-lease.ts';
import { WorkbookError } from './workbook-error.ts';
import {
  type GridTable,
  type GridValue,
  assertStaffColumn,
  assertSystemColumn,
  contractProblems,
  normalizedGrid,
  readHeaderRow,
  tableFromGrid,
} from './table.ts';

type Worksheet = ExcelJS.Worksheet;

/** exceljs keeps data validations per cell on the sheet, but its typings do not declare them. */
interface ValidationsOf {
  readonly dataValidations: {
    find(address: string): ExcelJS.DataValidation | undefined;
    add(address: string, validation: ExcelJS.DataValidation): void;
  };
}
const validationsOf = (sheet: Worksheet) => (sheet as unknown as ValidationsOf).dataValidations;

/** Identifies one saved version of a file, to notice a staff save between our read and write. */
interface FileVersion {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

async function fileVersion(file: string): Promise<FileVersion | null> {
  try {
    const s = await stat(file);
    return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const sameVersion = (a: FileVersion | null, b: FileVersion | null) =>
  a !== null && b !== null && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;

async function loadWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WorkbookError(`No workbook at ${file}: run \`bucp init\` to create it`);
    throw new WorkbookError(`Cannot read ${file} as an .xlsx workbook: ${(error as Error).message}`);
  }
  return workbook;
}

/** A temp file this old was left by a process killed mid-write: no live write takes an hour. */
export const STALE_TEMP_MS = 60 * 60_000;

/** Removes temp files that writers killed mid-write left beside the workbook. Best effort. */
export async function removeStaleTemps(file: string, now = Date.now()): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  const removed: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) continue;
    const temp = path.join(dir, name);
    const modified = await stat(temp).then(
      (s) => s.mtimeMs,
      () => now,
    );
    if (now - modified < STALE_TEMP_MS) continue;
    await rm(temp, { force: true }).then(
      () => removed.push(temp),
      () => undefined,
    );
  }
  return removed;
}

/** Writes beside the target and renames over it, so a reader never sees half a workbook. */
async function saveAtomically(workbook: ExcelJS.Workbook, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await removeStaleTemps(file);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const buffer = await workbook.xlsx.writeBuffer();
    await writeFile(temp, new Uint8Array(buffer as ArrayBuffer), { flush: true });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** An exceljs cell value as the core sees it: formulas by their result, rich text as plain text. */
export function toCellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('error' in value) return { error: String(value.error) };
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as ExcelJS.CellFormulaValue).result;
      return result === undefined ? null : toCellValue(result as ExcelJS.CellValue);
    }
    if ('text' in value) {
      const t = (value as ExcelJS.CellHyperlinkValue).text as unknown;
      return typeof t === 'string' ? t : toCellValue(t as ExcelJS.CellValue);
    }
  }
  return String(value);
}

/** Row 1's values; a merged header cell reads as its master's text, and only the master names the column. */
function headerValues(sheet: Worksheet): CellValue[] {
  const row = sheet.getRow(1);
  const values: CellValue[] = [];
  for (let c = 1; c <= row.cellCount; c += 1) {
    const cell = row.getCell(c);
    values.push(cell.isMerged && cell.master.address !== cell.address ? null : toCellValue(cell.value));
  }
  return values;
}

/** A worksheet's columns by header, read as every store reads a header row, numbered from 1 as in exceljs. */
function headerMap(sheet: Worksheet): { columns: Map<string, number> } {
  const { columns } = readHeaderRow(sheet.name, headerValues(sheet));
  return { columns: new Map([...columns].map(([header, index]) => [header, index + 1])) };
}

/** A worksheet's rows by header. */
function readTable(sheet: Worksheet): GridTable {
  const grid: CellValue[][] = [headerValues(sheet)];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const values: CellValue[] = [];
    for (let c = 1; c <= row.cellCount; c += 1) values.push(toCellValue(row.getCell(c).value));
    grid[rowNumber - 1] = values;
  });
  return tableFromGrid(sheet.name, grid, (value) => (value ?? null) as CellValue);
}

function toExcelValue(value: SystemValue): ExcelJS.CellValue {
  switch (value.kind) {
    case 'blank':
      return null;
    case 'date':
      return new Date(`${value.value}T00:00:00Z`);
    default:
      return value.value;
  }
}

const DATE_FORMAT = 'yyyy-mm-dd';

export interface XlsxStoreOptions {
  readonly path: string;
  /** How often to start a write over when staff keep saving in between. */
  readonly maxConcurrentEditRetries?: number;
  /**
   * Runs after the write loaded the workbook and before it saves: the window where a staff save
   * would collide. Tests and chaos drills use it to play that staff member.
   */
  readonly beforeSave?: () => Promise<void>;
}

/** The local workbook: the embedded default tracker, an .xlsx file staff open in Excel. */
export class XlsxTrackerStore implements TrackerStore, StaffImportTarget {
  readonly kind = 'xlsx';
  readonly path: string;
  /** The lease lives beside the workbook, so staff opening the workbook never see or break it. */
  readonly lease: FileLease;
  private readonly maxRetries: number;
  private readonly beforeSave: (() => Promise<void>) | undefined;

  constructor(options: XlsxStoreOptions) {
    this.path = path.resolve(options.path);
    this.lease = new FileLease(`${this.path}.lease.json`);
    this.maxRetries = options.maxConcurrentEditRetries ?? 5;
    this.beforeSave = options.beforeSave;
  }

  describe(): string {
    return this.path;
  }

  rowLink(tab: string, _id: string, rowNumber: number): string {
    return `${pathToFileURL(this.path).href}#'${tab}'!A${rowNumber}`;
  }

  async read(): Promise<TrackerSnapshot> {
    const workbook = await loadWorkbook(this.path);
    return snapshotOf(workbook);
  }

  async write(plan: WritePlan): Promise<WriteResult> {
    for (let attempt = 0; attempt <= this.maxRetries; attempt += 1) {
      const before = await fileVersion(this.path);
      const workbook = await loadWorkbook(this.path);
      const applied = applyPlan(workbook, plan);
      if (!applied.changed) {
        return {
          cellsWritten: 0,
          rowsAppended: 0,
          missingIds: applied.missingIds,
          retriedAfterConcurrentEdit: attempt,
        };
      }
      await this.beforeSave?.();
      // Staff may have saved while we worked: then start over from their version, so no edit is lost.
      if (!sameVersion(before, await fileVersion(this.path))) continue;
      await saveAtomically(workbook, this.path);
      return {
        cellsWritten: applied.cellsWritten,
        rowsAppended: applied.rowsAppended,
        missingIds: applied.missingIds,
        retriedAfterConcurrentEdit: attempt,
      };
    }
    throw new WorkbookError(`${this.path} kept changing while the service tried to write it; will retry next cycle`);
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    return ensureWorkbookLayout(this.path, layout);
  }

  /** Staff data from `bucp import`: new rows appended, cells of existing rows filled, in one save. */
  async importStaff(plan: StaffImportPlan): Promise<StaffImportResult> {
    for (let attempt = 0; attempt <= this.maxRetries; attempt += 1) {
      const before = await fileVersion(this.path);
      const workbook = await loadWorkbook(this.path);
      const applied = applyImport(requireSheet(workbook, TABS.proposals), plan);
      if (applied.rowsAdded === 0 && applied.cellsFilled === 0) return applied;
      await this.beforeSave?.();
      if (!sameVersion(before, await fileVersion(this.path))) continue;
      await saveAtomically(workbook, this.path);
      return applied;
    }
    throw new WorkbookError(`${this.path} kept changing while the import tried to write it; run the import again`);
  }
}

/** Writes one row's staff values into a sheet row, by header. */
function writeStaffValues(
  sheet: Worksheet,
  columns: ReadonlyMap<string, number>,
  rowNumber: number,
  values: StaffRowWrite['values'],
): number {
  let written = 0;
  for (const [header, value] of Object.entries(values)) {
    assertStaffColumn(sheet.name, header);
    const col = columns.get(header);
    if (!col) throw new WorkbookError(`The "${sheet.name}" tab lacks the column "${header}": run \`bucp init\``);
    const cell = sheet.getRow(rowNumber).getCell(col);
    cell.value = toExcelValue(value);
    if (value.kind === 'date') cell.numFmt = DATE_FORMAT;
    written += 1;
  }
  return written;
}

/** Applies an import to a loaded sheet: fills found by ID now, new rows after the last one. */
function applyImport(sheet: Worksheet, plan: StaffImportPlan): StaffImportResult {
  const { columns } = headerMap(sheet);
  const rows = rowsByIdOf(sheet, columns.get('BUCP ID')!);
  const missingIds: string[] = [];
  let cellsFilled = 0;
  for (const fill of plan.fill) {
    const found = rows.get(fill.id);
    if (!found) missingIds.push(fill.id);
    else cellsFilled += writeStaffValues(sheet, columns, found, fill.values);
  }
  let next = lastDataRow(sheet) + 1;
  for (const row of plan.add) {
    writeStaffValues(sheet, columns, next, row.values);
    next += 1;
  }
  return { rowsAdded: plan.add.length, cellsFilled, missingIds };
}

/** The first sheet row of each ID in a column. */
function rowsByIdOf(sheet: Worksheet, idCol: number): Map<string, number> {
  const rows = new Map<string, number>();
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const id = String(toCellValue(row.getCell(idCol).value) ?? '').trim();
    if (id && !rows.has(id)) rows.set(id, rowNumber);
  });
  return rows;
}

function snapshotOf(workbook: ExcelJS.Workbook): TrackerSnapshot {
  const problems: string[] = [];
  const missingOptional: string[] = [];
  const tables: Record<string, SheetTable> = {};
  for (const tab of TRACKER_TABS) {
    const sheet = workbook.getWorksheet(tab.name);
    if (!sheet) {
      if (OPTIONAL_TABS.includes(tab.name)) missingOptional.push(tab.name);
      else problems.push(`The workbook has no "${tab.name}" tab: run \`bucp init\` to add it`);
      tables[tab.name] = { headers: [], rows: [] };
      continue;
    }
    const read = readTable(sheet);
    problems.push(...read.problems);
    problems.push(...contractProblems(tab, new Set(read.table.headers)));
    tables[tab.name] = read.table;
  }
  for (const name of [...SUMMARY_TABS, ...REFERENCE_TABS]) {
    if (OPTIONAL_TABS.includes(name) && !workbook.getWorksheet(name)) {
      missingOptional.push(name);
    }
  }
  return {
    proposals: tables[TABS.proposals]!,
    disputes: tables[TABS.disputes]!,
    tasks: tables[TABS.tasks]!,
    activity: tables[TABS.activity]!,
    layoutProblems: problems,
    missingOptionalTabs: missingOptional,
    // The Activity Log is the tab that grows: Excel stops a worksheet at 1,048,576 rows.
    capacity: {
      used: workbook.getWorksheet(TABS.activity)?.rowCount ?? 0,
      limit: EXCEL_ROW_LIMIT,
      limitName: `Excel's limit of ${EXCEL_ROW_LIMIT.toLocaleString('en-US')} rows per worksheet (on the Activity Log tab)`,
    },
  };
}

const EXCEL_ROW_LIMIT = 1_048_576;

interface Applied {
  changed: boolean;
  cellsWritten: number;
  rowsAppended: number;
  missingIds: string[];
}

/** Applies a plan to a loaded workbook. Rows are found by ID now, not by where they were at read time. */
function applyPlan(workbook: ExcelJS.Workbook, plan: WritePlan): Applied {
  const result: Applied = { changed: false, cellsWritten: 0, rowsAppended: 0, missingIds: [] };
  const byTab = Map.groupBy(plan.cells, (write) => write.tab);
  for (const [tabName, writes] of byTab) {
    const sheet = workbook.getWorksheet(tabName);
    const contract = TRACKER_TABS.find((t) => t.name === tabName);
    if (!sheet || !contract?.idColumn)
      throw new WorkbookError(`The workbook has no "${tabName}" tab: run \`bucp init\``);
    const { columns } = headerMap(sheet);
    const idCol = columns.get(contract.idColumn)!;
    const rowsById = new Map<string, number[]>();
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      if (rowNumber === 1) return;
      const id = String(toCellValue(row.getCell(idCol).value) ?? '').trim();
      if (id) rowsById.set(id, [...(rowsById.get(id) ?? []), rowNumber]);
    });
    for (const write of writes) {
      const rows = rowsById.get(write.id);
      if (!rows) {
        result.missingIds.push(write.id);
        continue;
      }
      for (const rowNumber of rows) {
        for (const [header, value] of Object.entries(write.values)) {
          assertSystemColumn(tabName, header);
          const col = columns.get(header);
          if (!col) throw new WorkbookError(`The "${tabName}" tab lacks the column "${header}": run \`bucp init\``);
          const cell = sheet.getRow(rowNumber).getCell(col);
          cell.value = toExcelValue(value);
          if (value.kind === 'date') cell.numFmt = DATE_FORMAT;
          result.cellsWritten += 1;
        }
      }
    }
  }
  if (plan.appendActivity.length > 0) {
    const sheet = requireSheet(workbook, TABS.activity);
    const { columns } = headerMap(sheet);
    let next = lastDataRow(sheet) + 1;
    for (const event of plan.appendActivity) {
      const values = activityRow(event);
      const row = sheet.getRow(next);
      ACTIVITY_HEADERS.forEach((header, i) => {
        const col = columns.get(header);
        if (col) row.getCell(col).value = values[i] === '' ? null : values[i]!;
      });
      next += 1;
      result.rowsAppended += 1;
    }
  }
  if (plan.issues) {
    const rows = plan.issues.map(issueRow);
    if (replaceTable(requireSheet(workbook, TABS.issues), [...ISSUE_HEADERS], rows)) result.changed = true;
  }
  for (const summary of plan.summaries ?? []) {
    // An optional tab the tracker lacks waits for `bucp init`, which adds it with the rest of its layout.
    if (OPTIONAL_TABS.includes(summary.tab) && !workbook.getWorksheet(summary.tab)) continue;
    const sheet = workbook.getWorksheet(summary.tab) ?? workbook.addWorksheet(summary.tab);
    if (replaceGrid(sheet, summary)) result.changed = true;
  }
  if (result.cellsWritten > 0 || result.rowsAppended > 0) result.changed = true;
  return result;
}

function requireSheet(workbook: ExcelJS.Workbook, name: string): Worksheet {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new WorkbookError(`The workbook has no "${name}" tab: run \`bucp init\``);
  return sheet;
}

function lastDataRow(sheet: Worksheet): number {
  let last = 1;
  sheet.eachRow({ includeEmpty: false }, (_row, rowNumber) => {
    last = Math.max(last, rowNumber);
  });
  return last;
}

function currentGrid(sheet: Worksheet): GridValue[][] {
  const grid: GridValue[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const values: GridValue[] = [];
    for (let c = 1; c <= row.cellCount; c += 1) {
      const v = toCellValue(row.getCell(c).value);
      values.push(
        v === null || v instanceof Date || typeof v === 'boolean' || typeof v === 'object'
          ? v === null
            ? null
            : String(v)
          : v,
      );
    }
    grid[rowNumber - 1] = values;
  });
  return grid;
}

/** Rewrites a whole system tab when its content differs; returns whether anything changed. */
function writeGrid(sheet: Worksheet, grid: readonly (readonly GridValue[])[]): boolean {
  if (normalizedGrid(currentGrid(sheet)) === normalizedGrid(grid)) return false;
  // Clear cell by cell: exceljs's spliceRows leaves rows behind when it splices to the end.
  sheet.eachRow({ includeEmpty: true }, (row) => {
    row.eachCell({ includeEmpty: true }, (cell) => {
      cell.value = null;
      cell.style = {};
    });
  });
  grid.forEach((values, i) => {
    const row = sheet.getRow(i + 1);
    values.forEach((v, c) => {
      row.getCell(c + 1).value = v;
    });
  });
  return true;
}

function replaceTable(sheet: Worksheet, headers: string[], rows: GridValue[][]): boolean {
  return writeGrid(sheet, [headers, ...rows]);
}

function replaceGrid(sheet: Worksheet, summary: SummaryTable): boolean {
  const changed = writeGrid(sheet, summary.rows);
  if (changed) {
    sheet.getColumn(1).width = 60;
    for (let c = 2; c <= 6; c += 1) sheet.getColumn(c).width = 16;
    const isTitle = (r: readonly GridValue[]) => r.length === 1 && typeof r[0] === 'string';
    summary.rows.forEach((r, i) => {
      const row = sheet.getRow(i + 1);
      if (isTitle(r)) row.getCell(1).font = { bold: true, size: i === 0 ? 14 : 11 };
      // The line under a section title names its columns.
      else if (i > 0 && isTitle(summary.rows[i - 1]!) && r.length > 1) {
        r.forEach((_v, c) => {
          row.getCell(c + 1).font = { bold: true, color: { argb: 'FF555555' } };
        });
      }
    });
  }
  return changed;
}

/** Creates the workbook, or adds what it lacks: tabs, headers, dropdowns, highlights. Staff data stays. */
export async function ensureWorkbookLayout(file: string, layout: WorkbookLayout): Promise<LayoutReport> {
  const exists = (await fileVersion(file)) !== null;
  const workbook = exists ? await loadWorkbook(file) : new ExcelJS.Workbook();
  const created: string[] = [];
  const repaired: string[] = [];
  for (const tab of layout.tabs) {
    let sheet = workbook.getWorksheet(tab.name);
    if (!sheet) {
      sheet = workbook.addWorksheet(tab.name);
      created.push(`tab "${tab.name}"`);
    }
    repaired.push(...ensureTab(sheet, tab, layout));
  }
  if (layout.lists && Object.keys(layout.lists).length > 0) {
    const sheet = requireSheet(workbook, TABS.lists);
    const names = Object.keys(layout.lists);
    const depth = Math.max(...Object.values(layout.lists).map((l) => l?.length ?? 0));
    const grid: GridValue[][] = [names];
    for (let i = 0; i < depth; i += 1)
      grid.push(names.map((n) => layout.lists[n as keyof typeof layout.lists]?.[i] ?? null));
    if (writeGrid(sheet, grid)) repaired.push('the Lists tab');
  }
  if (!exists || created.length > 0 || repaired.length > 0) await saveAtomically(workbook, file);
  return { created: exists ? created : [`workbook ${file}`], repaired };
}

function ensureTab(sheet: Worksheet, tab: TabLayout, layout: WorkbookLayout): string[] {
  const repaired: string[] = [];
  if (tab.columns.length === 0) return repaired;
  const { columns } = headerMap(sheet);
  let nextCol = Math.max(0, ...columns.values()) + 1;
  const header = sheet.getRow(1);
  for (const column of tab.columns) {
    if (columns.has(column.header)) continue;
    const col = nextCol;
    nextCol += 1;
    header.getCell(col).value = column.header;
    sheet.getColumn(col).width = column.width;
    columns.set(column.header, col);
    repaired.push(`column "${column.header}" on "${tab.name}"`);
  }
  for (const column of tab.columns) {
    const cell = header.getCell(columns.get(column.header)!);
    if (!cell.font?.bold) {
      cell.font = { bold: true, color: column.owner === 'system' ? { argb: 'FF555555' } : { argb: 'FF000000' } };
      cell.fill = {
        type: 'pattern',
        pattern: 'solid',
        fgColor: { argb: column.owner === 'system' ? 'FFE7E6E6' : 'FFDDEBF7' },
      };
      if (column.owner === 'system') cell.note = 'Written by the BUCP tracker service. Edits here are overwritten.';
    }
  }
  const view = sheet.views?.[0] as { state?: string } | undefined;
  if (tab.frozenRows > 0 && view?.state !== 'frozen') {
    sheet.views = [{ state: 'frozen', xSplit: tab.frozenColumns, ySplit: tab.frozenRows }];
    repaired.push(`frozen header on "${tab.name}"`);
  }
  const lastRow = layout.dataRows + 1;
  for (const column of tab.columns) {
    if (!column.list || !layout.lists[column.list]) continue;
    const letter = columnLetter(columns.get(column.header)!);
    if (validationsOf(sheet).find(`${letter}2`)) continue;
    const validation: ExcelJS.DataValidation = {
      type: 'list',
      allowBlank: true,
      formulae: [listRange(layout, column.list)],
      showErrorMessage: true,
      errorStyle: column.validation === 'warning' ? 'warning' : 'stop',
      errorTitle: column.header,
      error:
        column.validation === 'warning'
          ? `Not in the ${column.list} list. Keep it if this partner is outside CalHHS.`
          : `Choose a value from the ${column.list} list.`,
    };
    for (let r = 2; r <= lastRow; r += 1) validationsOf(sheet).add(`${letter}${r}`, validation);
    repaired.push(`dropdown on "${tab.name}"!${column.header}`);
  }
  if (tab.highlights) {
    const statusCol = columns.get(tab.highlights.column);
    const existing = (sheet as unknown as { conditionalFormattings?: unknown[] }).conditionalFormattings ?? [];
    if (statusCol && existing.length === 0) {
      const lastCol = columnLetter(Math.max(...columns.values()));
      const statusLetter = columnLetter(statusCol);
      sheet.addConditionalFormatting({
        ref: `A2:${lastCol}${lastRow}`,
        rules: tab.highlights.rules.map((rule, i) => ({
          type: 'expression',
          priority: i + 1,
          formulae: [`$${statusLetter}2="${rule.equals}"`],
          style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: `FF${rule.fill}` } } },
        })),
      });
      repaired.push(`status highlights on "${tab.name}"`);
    }
  }
  return repaired;
}

/** The restricted workbook. Only the BUCP ID column is ever read out of it. */
export class XlsxRestrictedStore implements RestrictedStore, RestrictedImportTarget {
  readonly path: string;

  constructor(file: string) {
    this.path = path.resolve(file);
  }

  describe(): string {
    return this.path;
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    return ensureWorkbookLayout(this.path, layout);
  }

  async recordIds(): Promise<ReadonlySet<string>> {
    const workbook = await loadWorkbook(this.path);
    const sheet = workbook.getWorksheet(RESTRICTED_TAB.name);
    if (!sheet) throw new WorkbookError(`${this.path} has no "${RESTRICTED_TAB.name}" tab: run \`bucp init\``);
    const idCol = headerMap(sheet).columns.get('BUCP ID');
    if (!idCol) throw new WorkbookError(`The "${RESTRICTED_TAB.name}" tab has no "BUCP ID" column: run \`bucp init\``);
    const ids = new Set<string>();
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      if (rowNumber === 1) return;
      const id = String(toCellValue(row.getCell(idCol).value) ?? '').trim();
      if (id) ids.add(id);
    });
    return ids;
  }

  /**
   * Restricted content from `bucp import`, merged here with what the workbook holds (empty cells
   * filled, differing ones kept unless overwriting), in one save. Only IDs and column names come back.
   */
  async importRecords(
    records: readonly RestrictedRecord[],
    options: { readonly overwrite: boolean; readonly dryRun: boolean },
  ): Promise<RestrictedImportResult> {
    const workbook = await loadWorkbook(this.path);
    const sheet = workbook.getWorksheet(RESTRICTED_TAB.name);
    if (!sheet) throw new WorkbookError(`${this.path} has no "${RESTRICTED_TAB.name}" tab: run \`bucp init\``);
    const { columns } = headerMap(sheet);
    const rows = rowsByIdOf(sheet, columns.get('BUCP ID')!);
    const existing = new Map(
      [...rows].map(([id, rowNumber]) => [
        id,
        Object.fromEntries([...columns].map(([h, c]) => [h, toCellValue(sheet.getRow(rowNumber).getCell(c).value)])),
      ]),
    );
    const merge = mergeRestricted(existing, records, options.overwrite);
    if (options.dryRun || (merge.add.length === 0 && merge.fill.length === 0)) return merge.result;
    const text = (values: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(values).map(([h, v]) => [h, { kind: 'text', value: v } as SystemValue]));
    for (const fill of merge.fill) writeStaffValues(sheet, columns, rows.get(fill.id)!, text(fill.values));
    let next = lastDataRow(sheet) + 1;
    for (const record of merge.add) {
      writeStaffValues(sheet, columns, next, { 'BUCP ID': { kind: 'text', value: record.id }, ...text(record.values) });
      next += 1;
    }
    await saveAtomically(workbook, this.path);
    return merge.result;
  }
}
