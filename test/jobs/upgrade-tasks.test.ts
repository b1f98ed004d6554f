import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type Config, parseConfig } from '../../src/core/config.ts';
import { DISPUTE_COLUMNS, PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { type WorkbookLayout, restrictedLayout, trackerLayout } from '../../src/core/layout.ts';
import type { RestrictedStore, TrackerStore } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { type CycleReport, LayoutError, runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import { airtableRig } from '../support/airtable.ts';
import { googleRig } from '../support/google.ts';
import { CONTACTS, type Row, d, enteredDaysAgo, localTime, proposal, readAllRows } from '../support/workspace.ts';

const NEW_TABS = ['Tasks', 'Task Metrics', 'Library'];

/** The tracker as it was before tasks and the library: without their tabs, and (optionally) without Lessons Learned. */
function olderLayout(withLessons: boolean): WorkbookLayout {
  const layout = trackerLayout(['DHCS', 'CDPH']);
  return {
    ...layout,
    tabs: layout.tabs
      .filter((t) => !NEW_TABS.includes(t.name))
      .map((t) =>
        t.name === 'Proposals' && !withLessons
          ? { ...t, columns: t.columns.filter((c) => c.header !== 'Lessons Learned') }
          : t,
      ),
  };
}

interface UpgradeRig {
  readonly config: Config;
  readonly store: TrackerStore;
  readonly restricted: RestrictedStore;
  addRows(tab: string, rows: readonly Row[]): Promise<void>;
  rows(tab: string): Promise<Record<string, unknown>[]>;
  tabs(): Promise<string[]>;
  stop(): Promise<void>;
  /** How the store's init report and layout problems name a tab and a column (Airtable: a table and a field). */
  readonly words?: {
    created(tab: string): string;
    repaired(header: string, tab: string): string;
    readonly lacks: RegExp;
  };
}

const SHEET_WORDS: NonNullable<UpgradeRig['words']> = {
  created: (tab) => `tab "${tab}"`,
  repaired: (header, tab) => `column "${header}" on "${tab}"`,
  lacks: /"Proposals" tab lacks the column\(s\) "Lessons Learned"/,
};

const RIGS: readonly { name: string; make(): Promise<UpgradeRig> }[] = [
  {
    name: 'local workbook',
    async make() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-upgrade-'));
      const config = configFor({
        kind: 'xlsx',
        path: path.join(dir, 'tracker.xlsx'),
        restrictedPath: path.join(dir, 'restricted.xlsx'),
      });
      const store = new XlsxTrackerStore({ path: path.join(dir, 'tracker.xlsx') });
      return {
        config,
        store,
        restricted: new XlsxRestrictedStore(path.join(dir, 'restricted.xlsx')),
        addRows: (tab, rows) => appendRowsByHeader(store.path, tab, rows),
        rows: (tab) => readAllRows(store.path, tab),
        tabs: async () => {
          const { default: ExcelJS } = await import('exceljs');
          const workbook = new ExcelJS.Workbook();
          await workbook.xlsx.readFile(store.path);
          return workbook.worksheets.map((w) => w.name);
        },
        stop: async () => undefined,
      };
    },
  },
  {
    name: 'Google Sheets',
    async make() {
      const rig = await googleRig();
      rig.emulator.setQuota(false);
      const config = configFor({
        kind: 'google-sheets',
        spreadsheetId: rig.tracker.spreadsheetId,
        restrictedSpreadsheetId: rig.restricted.spreadsheetId,
        rootUrl: rig.rootUrl,
      });
      const lines = (tab: string) => {
        const [names = [], ...rows] = rig.emulator
          .sheet(rig.tracker.spreadsheetId, tab)
          .values({ render: 'UNFORMATTED_VALUE' });
        return rows.map((row) => Object.fromEntries(names.map((h, i) => [String(h), row[i] ?? null])));
      };
      return {
        config,
        store: rig.tracker,
        restricted: rig.restricted,
        addRows: async (tab, rows) => {
          const sheet = rig.emulator.sheet(rig.tracker.spreadsheetId, tab);
          const names = (sheet.values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
          const text = (v: Row[string] | undefined) =>
            v instanceof Date ? v.toISOString().slice(0, 10) : ((v ?? null) as string | number | boolean | null);
          rig.emulator.setRows(
            { spreadsheetId: rig.tracker.spreadsheetId, title: tab },
            rows.map((row) => names.map((h) => text(row[h]))),
            { startRow: sheet.lastRow + 1, input: 'USER_ENTERED' },
          );
        },
        rows: async (tab) => lines(tab),
        tabs: async () => rig.emulator.spreadsheet(rig.tracker.spreadsheetId).sheetTitles,
        stop: () => rig.stop(),
      };
    },
  },
  {
    name: 'Airtable',
    async make() {
      const rig = await airtableRig();
      const config = configFor({
        kind: 'airtable',
        baseId: rig.trackerBaseId,
        restrictedBaseId: rig.restrictedBaseId,
        endpointUrl: rig.endpointUrl,
      });
      return {
        config,
        store: rig.tracker,
        restricted: rig.restricted,
        // As staff type records: only the fields the table has, dates as YYYY-MM-DD.
        addRows: async (tab, rows) => {
          const fields = new Set(
            (rig.emulator.tableSchema(rig.trackerBaseId, tab) as { fields: { name: string }[] }).fields.map(
              (f) => f.name,
            ),
          );
          for (const row of rows) {
            const values = Object.entries(row)
              .filter(([h, v]) => fields.has(h) && v !== undefined && v !== null && v !== '')
              .map(([h, v]) => [h, v instanceof Date ? v.toISOString().slice(0, 10) : v]);
            rig.emulator.addRecord(rig.trackerBaseId, tab, Object.fromEntries(values));
          }
        },
        rows: async (tab) => rig.emulator.records(rig.trackerBaseId, tab).map((r) => r.fields),
        tabs: async () => rig.emulator.base(rig.trackerBaseId).tables.map((t) => t.name),
        stop: () => rig.stop(),
        words: {
          created: (tab) => `table "${tab}"`,
          repaired: (header, tab) => `table "${tab}": the field "${header}"`,
          lacks: /"Proposals" table lacks the field\(s\) "Lessons Learned"/,
        },
      };
    },
  },
];

function configFor(store: Record<string, unknown>): Config {
  const parsed = parseConfig({ store, mail: { kind: 'outbox', dir: 'unused' }, contacts: CONTACTS });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function cycle(rig: UpgradeRig, now: string): Promise<CycleReport> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-upgrade-outbox-'));
  return runCycle(
    {
      config: rig.config,
      store: rig.store,
      restricted: rig.restricted,
      mailer: new OutboxMailer({ dir, from: 'bucp@localhost' }),
      templates: await MailTemplates.load(),
      logger: createLogger({ level: 'silent', destination: { write: () => true } }),
    },
    { now: localTime(now) },
  );
}

/** The staff cells of a tab, by ID and header: what an upgrade must leave as it was. */
async function staffCells(rig: UpgradeRig, tab: string, columns: typeof PROPOSAL_COLUMNS): Promise<string> {
  const headers = columns.filter((c) => c.owner === 'staff' && c.header !== 'Lessons Learned').map((c) => c.header);
  const rows = await rig.rows(tab);
  return JSON.stringify(
    rows.map((r) =>
      headers.map((h) => {
        const v = r[h];
        return v instanceof Date ? v.toISOString().slice(0, 10) : v === '' || v === undefined ? null : v;
      }),
    ),
  );
}

const PROPOSALS = [
  proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 13), Notes: 'Kept as typed' }),
  proposal('B-2', { Stage: 'Active', 'Stage Entered On': d('2026-10-01'), 'Legal Authority': 'HSC 100330' }),
];
const DISPUTES = [{ 'Dispute ID': 'D-1', 'BUCP ID': 'B-1', 'Raised On': d('2026-11-20'), Level: 'Data Coordinators' }];

describe.each(RIGS)('bucp init on an older tracker, on the $name', (make) => {
  test('a tracker without the Tasks, Task Metrics and Library tabs still runs, with a warning for each', async () => {
    const rig = await make.make();
    stops.push(() => rig.stop());
    await rig.store.ensureLayout(olderLayout(true));
    await rig.restricted.ensureLayout(restrictedLayout());
    await rig.addRows('Proposals', PROPOSALS);
    const report = await cycle(rig, '2026-11-23T08:00');
    expect(report.ok).toBe(true);
    expect(report.notifications.filter((n) => n.sent).map((n) => n.idempotencyKey)).toEqual([
      'digest:req@dhcs.example.gov:2026-11-23',
    ]);
    expect(report.rowIssues.filter((i) => NEW_TABS.includes(i.tab)).map((i) => [i.tab, i.severity])).toEqual([
      ['Library', 'warning'],
      ['Task Metrics', 'warning'],
      ['Tasks', 'warning'],
    ]);
    expect(await rig.tabs()).not.toContain('Tasks');
    const issues = (await rig.rows('Issues')).map((r) => String(r.Message));
    expect(issues).toContain('The tracker has no "Tasks" tab yet: run `bucp init` to add it (nothing else changes)');
  });

  test('init adds the Tasks tab, the Lessons Learned column and the Library tab, and changes no staff data', async () => {
    const rig = await make.make();
    stops.push(() => rig.stop());
    await rig.store.ensureLayout(olderLayout(false));
    await rig.restricted.ensureLayout(restrictedLayout());
    await rig.addRows('Proposals', PROPOSALS);
    await rig.addRows('Disputes', DISPUTES);
    // Like any column the contract gained, a missing Lessons Learned stops the cycle until init adds it.
    await expect(cycle(rig, '2026-11-23T08:00')).rejects.toThrow(LayoutError);
    const words = rig.words ?? SHEET_WORDS;
    await expect(cycle(rig, '2026-11-23T08:00')).rejects.toThrow(words.lacks);
    const before = [
      await staffCells(rig, 'Proposals', PROPOSAL_COLUMNS),
      await staffCells(rig, 'Disputes', DISPUTE_COLUMNS),
    ];

    const init = await runInit({ config: rig.config, store: rig.store, restricted: rig.restricted });
    expect(init.tracker.created).toEqual(expect.arrayContaining(NEW_TABS.map(words.created)));
    expect(init.tracker.repaired).toContain(words.repaired('Lessons Learned', 'Proposals'));
    expect(await rig.tabs()).toEqual(expect.arrayContaining(NEW_TABS));
    const after = [
      await staffCells(rig, 'Proposals', PROPOSAL_COLUMNS),
      await staffCells(rig, 'Disputes', DISPUTE_COLUMNS),
    ];
    expect(after).toEqual(before);
    expect((await rig.rows('Proposals')).map((r) => r['Lessons Learned'] ?? null)).toEqual([null, null]);

    // Staff can now use them: a task, and a lesson the Library shows.
    await rig.addRows('Tasks', [
      {
        'Task ID': 'T-1',
        'BUCP ID': 'B-1',
        Task: 'Send the draft',
        'Owner Email': 'owner@cdph.example.gov',
        Due: d('2026-11-20'),
      },
    ]);
    const report = await cycle(rig, '2026-11-23T08:00');
    expect(report.rowIssues.filter((i) => NEW_TABS.includes(i.tab))).toEqual([]);
    expect(
      report.notifications
        .filter((n) => n.sent)
        .map((n) => n.idempotencyKey)
        .sort(),
    ).toEqual(['digest:owner@cdph.example.gov:2026-11-23', 'digest:req@dhcs.example.gov:2026-11-23']);
    expect((await rig.rows('Tasks')).map((r) => r.Status)).toEqual(['Overdue']);
    expect([
      await staffCells(rig, 'Proposals', PROPOSAL_COLUMNS),
      await staffCells(rig, 'Disputes', DISPUTE_COLUMNS),
    ]).toEqual(before);
  });
});
