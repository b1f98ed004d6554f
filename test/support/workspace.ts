import ExcelJS from 'exceljs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Config, type ConfigInput, parseConfig } from '../../src/core/config.ts';
import { OPEN_STAGES, TABS } from '../../src/core/contract.ts';
import { BusinessCalendar } from '../../src/core/calendar.ts';
import { addDays } from '../../src/core/dates.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { type CyclePart, type CycleReport, runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { parseNow } from '../../src/cli/main.ts';
import { OutboxMailer, type OutboxEntry } from '../../src/mail/outbox-mailer.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import type { Mailer } from '../../src/core/ports.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import { type StaffValue, appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';

export type Row = Record<string, StaffValue>;

export const CONTACTS = {
  governanceLiaison: 'liaison@chhs.example.gov',
  disputeLevels: {
    'Risk Management Subcommittee': 'rms@chhs.example.gov',
    'Governance Advisory Council': 'gac@chhs.example.gov',
    'Executive Council': 'exec@chhs.example.gov',
  },
};

/** A date cell as a person types it into Excel. */
export const d = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

export interface Workspace {
  readonly dir: string;
  readonly config: Config;
  readonly tracker: XlsxTrackerStore;
  readonly restricted: XlsxRestrictedStore;
  readonly outbox: OutboxMailer;
  /** Every log line the cycles wrote, as raw JSON text. */
  readonly logs: string[];
  addProposals(rows: readonly Row[]): Promise<void>;
  addDisputes(rows: readonly Row[]): Promise<void>;
  addTasks(rows: readonly Row[]): Promise<void>;
  addRestricted(rows: readonly Row[]): Promise<void>;
  /** Runs one real cycle at a local time such as `2026-11-23T08:00`. */
  run(
    now: string,
    options?: { dryRun?: boolean; mailer?: Mailer; parts?: ReadonlySet<CyclePart> },
  ): Promise<CycleReport>;
  sent(): Promise<OutboxEntry[]>;
  readOutboxFile(file: string): Promise<string>;
}

/** A fresh tracker and restricted workbook in a temp folder, made by the real `init` job. */
export async function makeWorkspace(overrides: Partial<ConfigInput> = {}): Promise<Workspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-test-'));
  const parsed = parseConfig({
    store: { kind: 'xlsx', path: path.join(dir, 'tracker.xlsx'), restrictedPath: path.join(dir, 'restricted.xlsx') },
    mail: { kind: 'outbox', dir: path.join(dir, 'outbox') },
    contacts: CONTACTS,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  const tracker = new XlsxTrackerStore({ path: path.join(dir, 'tracker.xlsx') });
  const restricted = new XlsxRestrictedStore(path.join(dir, 'restricted.xlsx'));
  await runInit({ config, store: tracker, restricted });
  const outbox = new OutboxMailer({ dir: path.join(dir, 'outbox'), from: 'BUCP Tracker <bucp@localhost>' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });
  const templates = await MailTemplates.load();
  return {
    dir,
    config,
    tracker,
    restricted,
    outbox,
    logs,
    addProposals: (rows) => appendRowsByHeader(tracker.path, TABS.proposals, rows),
    addDisputes: (rows) => appendRowsByHeader(tracker.path, TABS.disputes, rows),
    addTasks: (rows) => appendRowsByHeader(tracker.path, TABS.tasks, rows),
    addRestricted: (rows) => appendRowsByHeader(restricted.path, TABS.restricted, rows),
    run: (now, options = {}) =>
      runCycle(
        { config, store: tracker, restricted, mailer: options.mailer ?? outbox, templates, logger },
        {
          now: localTime(now, config.timezone),
          dryRun: options.dryRun ?? false,
          ...(options.parts ? { parts: options.parts } : {}),
        },
      ),
    sent: async () => new OutboxMailer({ dir: path.join(dir, 'outbox'), from: 'x@localhost' }).entries(),
    readOutboxFile: (file) => readFile(path.join(dir, 'outbox', file), 'utf8'),
  };
}

/** `2026-11-23T08:00` read as a wall-clock time in the zone, exactly as `--now` is. */
export function localTime(value: string, zone = 'America/Los_Angeles'): Date {
  return parseNow(value, zone);
}

/** A valid proposal row; override what a test cares about. */
export function proposal(id: string, fields: Row = {}): Row {
  return {
    'BUCP ID': id,
    'Use Case Name': `Use case ${id}`,
    'Requesting Department': 'DHCS',
    'Providing Department': 'CDPH',
    'Requesting Coordinator Email': 'req@dhcs.example.gov',
    'Providing Coordinator Email': 'prov@cdph.example.gov',
    'Sponsor Email': 'sponsor@dhcs.example.gov',
    Datasets: 'Medi-Cal Eligibility; Vital Statistics Births',
    Stage: 'Drafting',
    Outcome: 'Pending',
    ...fields,
  };
}

/**
 * `count` proposals spread over the open stages and Active, days in stage and 40 + 30 coordinators, as
 * the stores' request-count tests use them, and their restricted records.
 */
export function spreadProposals(count: number): { proposals: Row[]; restricted: Row[] } {
  const stages: string[] = [...OPEN_STAGES, 'Active'];
  const ids = Array.from({ length: count }, (_, i) => `B-${i + 1}`);
  return {
    proposals: ids.map((id, i) =>
      proposal(id, {
        Stage: stages[i % stages.length]!,
        'Stage Entered On': enteredDaysAgo('2026-11-23', (i * 7) % 45),
        'Requesting Coordinator Email': `req${i % 40}@dhcs.example.gov`,
        'Providing Coordinator Email': `prov${i % 30}@cdph.example.gov`,
      }),
    ),
    restricted: ids.map((id) => ({ 'BUCP ID': id })),
  };
}

const calendar = new BusinessCalendar();

/** The Stage Entered On that puts a proposal `b` business days into its stage on `today`. */
export function enteredDaysAgo(today: string, b: number): Date {
  let day = today;
  let remaining = b;
  while (remaining > 0) {
    day = addDays(day, -1);
    if (calendar.isBusinessDay(day)) remaining -= 1;
  }
  return d(day);
}

/** Plays a staff member in Excel: edits cells of the row with this ID, by header. */
export async function editRow(file: string, tab: string, idHeader: string, id: string, fields: Row): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab)!;
  const columns = headerColumns(sheet);
  let found = false;
  sheet.eachRow((row, n) => {
    if (n === 1 || String(row.getCell(columns.get(idHeader)!).value) !== id) return;
    found = true;
    for (const [header, value] of Object.entries(fields)) {
      const cell = row.getCell(columns.get(header)!);
      cell.value = value;
      if (value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
    }
  });
  if (!found) throw new Error(`no row ${id} on ${tab}`);
  await workbook.xlsx.writeFile(file);
}

/** Plays a staff member sorting a tab by one column, moving whole rows as Excel does. */
export async function sortRows(file: string, tab: string, header: string, descending = false): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab)!;
  const col = headerColumns(sheet).get(header)!;
  const width = sheet.columnCount;
  const rows: { value: ExcelJS.CellValue; style: Partial<ExcelJS.Style> }[][] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells = [];
    for (let c = 1; c <= width; c += 1) {
      const cell = row.getCell(c);
      cells.push({ value: cell.value, style: structuredClone(cell.style) });
    }
    rows.push(cells);
  });
  const key = (r: (typeof rows)[number]) => String(r[col - 1]?.value ?? '');
  rows.sort((a, b) => key(a).localeCompare(key(b)) * (descending ? -1 : 1));
  rows.forEach((cells, i) => {
    const row = sheet.getRow(i + 2);
    cells.forEach(({ value, style }, c) => {
      const cell = row.getCell(c + 1);
      cell.value = value ?? null;
      cell.style = style;
    });
  });
  await workbook.xlsx.writeFile(file);
}

export function headerColumns(sheet: ExcelJS.Worksheet): Map<string, number> {
  const columns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, c) => columns.set(String(cell.value), c));
  return columns;
}

/** Every row of a tab as a map of header → raw exceljs value, keyed by the ID column. */
export async function readRows(
  file: string,
  tab: string,
  idHeader: string,
): Promise<Map<string, Record<string, ExcelJS.CellValue>>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab)!;
  const columns = headerColumns(sheet);
  const rows = new Map<string, Record<string, ExcelJS.CellValue>>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const record = Object.fromEntries([...columns].map(([h, c]) => [h, row.getCell(c).value]));
    rows.set(String(record[idHeader] ?? `row ${n}`), record);
  });
  return rows;
}

/** Every row of a tab, in sheet order, as header → raw exceljs value. */
export async function readAllRows(file: string, tab: string): Promise<Record<string, ExcelJS.CellValue>[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab)!;
  const columns = headerColumns(sheet);
  const rows: Record<string, ExcelJS.CellValue>[] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(Object.fromEntries([...columns].map(([h, c]) => [h, row.getCell(c).value])));
  });
  return rows;
}
