import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, ConfigInput } from '../../src/core/config.ts';
import { TABS } from '../../src/core/contract.ts';
import type { Mailer } from '../../src/core/ports.ts';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import type { OutboxEntry, OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { inLogOrder, packedRecord, type PackedRecord, unpackLines } from '../../src/stores/airtable/activity-log.ts';
import { SUMMARY_COLUMNS, SUMMARY_LINE_FIELD } from '../../src/stores/airtable/tables.ts';
import { airtableWorkspace } from './airtable.ts';
import { type Row, editRow, makeWorkspace, readAllRows, readRows } from './workspace.ts';

/**
 * The end-to-end cycle tests (test/jobs) run on every store: a local workbook, and an Airtable base
 * on the emulator through the real client. The tests see a tracker through this one shape: staff add
 * and edit rows, the service runs cycles, and the tests read back what it wrote.
 */
export const STORE_KINDS = ['xlsx', 'airtable'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** A value as a test compares it, whatever the store: a date as YYYY-MM-DD, a blank as undefined. */
export type PlainValue = string | number | boolean | undefined;
export type PlainRow = Record<string, PlainValue>;

export interface StoreWorkspace {
  readonly kind: StoreKind;
  readonly config: Config;
  readonly outbox: OutboxMailer;
  /** Every log line the cycles wrote, as raw JSON text. */
  readonly logs: string[];
  addProposals(rows: readonly Row[]): Promise<void>;
  addDisputes(rows: readonly Row[]): Promise<void>;
  addRestricted(rows: readonly Row[]): Promise<void>;
  /** Runs one real cycle at a local time such as `2026-11-23T08:00`. */
  run(now: string, options?: { dryRun?: boolean; mailer?: Mailer }): Promise<CycleReport>;
  sent(): Promise<OutboxEntry[]>;
  readOutboxFile(file: string): Promise<string>;
  /** The rows of a keyed tab by ID. */
  rows(tab: string, idHeader: string): Promise<Map<string, PlainRow>>;
  /** Every row of a tab in order; the Activity Log line by line, repeats included. */
  lines(tab: string): Promise<PlainRow[]>;
  /** A summary tab (Summary, Stage Times...) as the grid of text a person sees, trailing blanks cut. */
  summary(tab: string): Promise<string[][]>;
  /** Plays a staff member editing a row in the workbook or the base. */
  editRow(tab: string, idHeader: string, id: string, fields: Row): Promise<void>;
}

const isFormula = (v: unknown): v is { result: unknown } => typeof v === 'object' && v !== null && 'result' in v;

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

function plain(value: unknown): PlainValue {
  if (value === null || value === undefined || value === '') return undefined;
  if (value instanceof Date) return isoDay(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** A line of text cells without its trailing blanks. */
function textLine(values: readonly unknown[]): string[] {
  const line = values.map((v) => String(plain(v) ?? ''));
  while (line.length > 0 && line.at(-1) === '') line.pop();
  return line;
}

/** A blank last line is not seen (a workbook does not even keep it). */
function withoutTrailingBlankLines(grid: string[][]): string[][] {
  const lines = [...grid];
  while (lines.length > 0 && lines.at(-1)!.length === 0) lines.pop();
  return lines;
}

const plainRow = (row: Record<string, unknown>): PlainRow =>
  Object.fromEntries(Object.entries(row).map(([h, v]) => [h, plain(v)]));

async function onWorkbook(overrides: Partial<ConfigInput>): Promise<StoreWorkspace> {
  const ws = await makeWorkspace(overrides);
  const file = ws.tracker.path;
  return {
    ...ws,
    kind: 'xlsx',
    rows: async (tab, idHeader) =>
      new Map([...(await readRows(file, tab, idHeader))].map(([id, row]) => [id, plainRow(row)])),
    lines: async (tab) => (await readAllRows(file, tab)).map(plainRow),
    summary: async (tab) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const grid: string[][] = [];
      workbook.getWorksheet(tab)!.eachRow({ includeEmpty: true }, (row, n) => {
        const values = Array.isArray(row.values) ? row.values.slice(1) : [];
        grid[n - 1] = textLine(values.map((v) => (isFormula(v) ? v.result : v)));
      });
      return withoutTrailingBlankLines(Array.from(grid, (line) => line ?? []));
    },
    editRow: (tab, idHeader, id, fields) => editRow(file, tab, idHeader, id, fields),
  };
}

/** Bases on emulators still listening, stopped after each test by `stopWorkspaces`. */
const running: (() => Promise<void>)[] = [];

async function onAirtable(overrides: Partial<ConfigInput>): Promise<StoreWorkspace> {
  const ws = await airtableWorkspace({ config: overrides });
  running.push(() => ws.stop());
  const records = (tab: string) => ws.records(tab).map((r) => ({ id: r.id, fields: plainRow(r.fields) }));
  return {
    kind: 'airtable',
    config: ws.config,
    outbox: ws.outbox,
    logs: ws.logs,
    addProposals: async (rows) => ws.addProposals(rows),
    addDisputes: async (rows) => ws.addDisputes(rows),
    addRestricted: async (rows) => ws.addRestricted(rows),
    run: (now, options = {}) => ws.run(now, options.mailer ?? ws.outbox, options.dryRun ?? false),
    sent: () => ws.outbox.entries(),
    readOutboxFile: (file) => readFile(path.join(ws.outbox.dir, file), 'utf8'),
    rows: async (tab, idHeader) => new Map(records(tab).map((r) => [String(r.fields[idHeader]), r.fields])),
    lines: async (tab) => {
      if (tab !== TABS.activity) return records(tab).map((r) => r.fields);
      const packed = ws.records(tab).map(packedRecord);
      return unpackLines(inLogOrder(packed.filter((r): r is PackedRecord => r !== null))).map((r) => plainRow(r.cells));
    },
    summary: async (tab) =>
      withoutTrailingBlankLines(
        records(tab)
          .sort((a, b) => Number(a.fields[SUMMARY_LINE_FIELD]) - Number(b.fields[SUMMARY_LINE_FIELD]))
          .map((r) => textLine(SUMMARY_COLUMNS.map((c) => r.fields[c]))),
      ),
    editRow: async (tab, idHeader, id, fields) => {
      const record = records(tab).find((r) => r.fields[idHeader] === id);
      if (!record) throw new Error(`no record ${id} in ${tab}`);
      ws.emulator.editRecord(
        ws.trackerBaseId,
        tab,
        record.id,
        Object.fromEntries(Object.entries(fields).map(([h, v]) => [h, v instanceof Date ? isoDay(v) : (v ?? null)])),
      );
    },
  };
}

/** A fresh tracker on the store, made by the real `init` job. */
export function workspaceOn(kind: StoreKind, overrides: Partial<ConfigInput> = {}): Promise<StoreWorkspace> {
  return kind === 'xlsx' ? onWorkbook(overrides) : onAirtable(overrides);
}

/** Stops the emulators of the workspaces made so far (use in afterEach). */
export async function stopWorkspaces(): Promise<void> {
  await Promise.all(running.splice(0).map((stop) => stop()));
}
