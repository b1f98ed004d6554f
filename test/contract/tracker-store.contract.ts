import { beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import type { ActivityEvent } from '../../src/core/activity.ts';
import { trackerLayout } from '../../src/core/layout.ts';
import type { TrackerStore } from '../../src/core/ports.ts';

export type StaffRow = Record<string, string | number | null>;

/** What a contract run needs from one kind of store: the store, and a staff member with access to it. */
export interface StoreFixture {
  readonly store: TrackerStore;
  /** Adds rows to a staff tab as a person would. */
  addRows(tab: string, rows: readonly StaffRow[]): Promise<void>;
  /** Sorts a tab by a column, moving whole rows. */
  sortRows(tab: string, header: string, descending: boolean): Promise<void>;
  deleteRow(tab: string, id: string): Promise<void>;
  /** Every row of a tab by header, as plain values (dates as YYYY-MM-DD). */
  readTab(tab: string): Promise<Record<string, string | number | null>[]>;
  /** Changes whenever the stored tracker changes: a file version, an API revision. */
  version(): Promise<string>;
  /** Schedules a staff action to run between the store's next read-for-write and its save. */
  betweenReadAndWrite(action: () => Promise<void>): void;
}

const event = (i: number): ActivityEvent => ({
  at: `2026-11-23T08:00:0${i}-08:00`,
  on: '2026-11-23',
  bucpId: `B-${i}`,
  disputeId: '',
  kind: 'first-seen',
  from: '',
  to: 'Drafting',
  detail: `event ${i}`,
  key: `k-${i}`,
});

const row = (id: string, extra: StaffRow = {}): StaffRow => ({
  'BUCP ID': id,
  'Use Case Name': `Use case ${id}`,
  Stage: 'Drafting',
  ...extra,
});

/** One suite, run against every TrackerStore adapter. */
export function trackerStoreContract(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`TrackerStore contract: ${name}`, () => {
    let f: StoreFixture;
    beforeEach(async () => {
      f = await makeFixture();
      await f.store.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
    });

    test('a fresh layout reads with no problems, and a second ensureLayout changes nothing', async () => {
      const snapshot = await f.store.read();
      expect(snapshot.layoutProblems).toEqual([]);
      expect(snapshot.proposals.headers).toContain('BUCP ID');
      expect(snapshot.proposals.headers).toContain('Last Synced At');
      const before = await f.version();
      const again = await f.store.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
      expect(again).toEqual({ created: [], repaired: [] });
      expect(await f.version()).toBe(before);
    });

    test('rows are read by header with their sheet row numbers; blank rows are skipped', async () => {
      await f.addRows('Proposals', [row('B-1'), row('B-2', { Notes: 'second' })]);
      const { proposals } = await f.store.read();
      expect(proposals.rows.map((r) => [r.rowNumber, r.cells['BUCP ID'], r.cells.Notes ?? null])).toEqual([
        [2, 'B-1', null],
        [3, 'B-2', 'second'],
      ]);
    });

    test('system cells land on their own BUCP ID even when staff sort the tab between read and write', async () => {
      await f.addRows('Proposals', [row('B-1'), row('B-2'), row('B-3')]);
      await f.store.read();
      f.betweenReadAndWrite(() => f.sortRows('Proposals', 'BUCP ID', true));
      await f.store.write({
        cells: ['B-1', 'B-2', 'B-3'].map((id) => ({
          tab: 'Proposals',
          id,
          values: { Status: { kind: 'text', value: `status of ${id}` } },
        })),
        appendActivity: [],
      });
      const rows = await f.readTab('Proposals');
      expect(rows.map((r) => [r['BUCP ID'], r.Status])).toEqual([
        ['B-3', 'status of B-3'],
        ['B-2', 'status of B-2'],
        ['B-1', 'status of B-1'],
      ]);
    });

    test('a staff edit made between read and write survives the write', async () => {
      await f.addRows('Proposals', [row('B-1')]);
      f.betweenReadAndWrite(async () => {
        await f.addRows('Proposals', [row('B-9', { Notes: 'typed during the cycle' })]);
      });
      await f.store.write({
        cells: [{ tab: 'Proposals', id: 'B-1', values: { 'SLA Days': { kind: 'number', value: 15 } } }],
        appendActivity: [],
      });
      const rows = await f.readTab('Proposals');
      expect(rows.find((r) => r['BUCP ID'] === 'B-9')?.Notes).toBe('typed during the cycle');
      expect(rows.find((r) => r['BUCP ID'] === 'B-1')?.['SLA Days']).toBe(15);
    });

    test('a row deleted before the write is reported, and the other rows are written', async () => {
      await f.addRows('Proposals', [row('B-1'), row('B-2')]);
      await f.deleteRow('Proposals', 'B-1');
      const result = await f.store.write({
        cells: ['B-1', 'B-2'].map((id) => ({
          tab: 'Proposals',
          id,
          values: { Status: { kind: 'text', value: 'On Track' } },
        })),
        appendActivity: [],
      });
      expect(result.missingIds).toEqual(['B-1']);
      expect((await f.readTab('Proposals')).map((r) => [r['BUCP ID'], r.Status])).toEqual([['B-2', 'On Track']]);
    });

    test('a write to a staff column is refused', async () => {
      await f.addRows('Proposals', [row('B-1')]);
      await expect(
        f.store.write({
          cells: [{ tab: 'Proposals', id: 'B-1', values: { Stage: { kind: 'text', value: 'Closed' } } }],
          appendActivity: [],
        }),
      ).rejects.toThrow(/staff column "Stage"/);
      expect((await f.readTab('Proposals'))[0]!.Stage).toBe('Drafting');
    });

    test('dates are written as dates and read back as the same day', async () => {
      await f.addRows('Proposals', [row('B-1')]);
      await f.store.write({
        cells: [{ tab: 'Proposals', id: 'B-1', values: { 'Stage Since': { kind: 'date', value: '2026-11-23' } } }],
        appendActivity: [],
      });
      expect((await f.readTab('Proposals'))[0]!['Stage Since']).toBe('2026-11-23');
    });

    test('Activity Log appends keep their order and never rewrite earlier lines', async () => {
      await f.store.write({ cells: [], appendActivity: [event(1), event(2)] });
      await f.store.write({ cells: [], appendActivity: [event(3)] });
      const { activity } = await f.store.read();
      expect(activity.rows.map((r) => r.cells['Idempotency Key'])).toEqual(['k-1', 'k-2', 'k-3']);
    });

    test('a read returns the Activity Log line by line, in order, beside the other tabs', async () => {
      await f.addRows('Proposals', [row('B-1')]);
      await f.store.write({ cells: [], appendActivity: [event(1), event(2), event(3)] });
      const snapshot = await f.store.read();
      expect(
        snapshot.activity.rows.map((line) => `${line.rowNumber}:${String(line.cells['Idempotency Key'])}`),
      ).toEqual(['2:k-1', '3:k-2', '4:k-3']);
      expect(snapshot.activity.headers).toContain('Idempotency Key');
      // The other tabs are read as ever.
      expect(snapshot.proposals.rows.map((r) => r.cells['BUCP ID'])).toEqual(['B-1']);
      expect(snapshot.layoutProblems).toEqual([]);
    });

    test('a read returns each Proposals row once, in order, and a write after it places cells by ID', async () => {
      await f.addRows('Proposals', [row('B-1'), row('B-2'), row('B-3')]);
      await f.store.write({ cells: [], appendActivity: [event(1)] });
      const snapshot = await f.store.read();
      expect(snapshot.proposals.rows.map((r) => `${r.rowNumber}:${String(r.cells['BUCP ID'])}`)).toEqual([
        '2:B-1',
        '3:B-2',
        '4:B-3',
      ]);
      expect(snapshot.proposals.headers).toContain('BUCP ID');
      expect(snapshot.activity.rows.map((r) => r.cells['Idempotency Key'])).toEqual(['k-1']);
      expect(snapshot.layoutProblems).toEqual([]);
      // The rows read are still the ones a write places its system cells by.
      await f.store.write({
        cells: [{ tab: 'Proposals', id: 'B-2', values: { 'Stage Since': { kind: 'date', value: '2026-11-23' } } }],
        appendActivity: [],
      });
      expect((await f.readTab('Proposals')).map((r) => r['Stage Since'] ?? null)).toEqual([null, '2026-11-23', null]);
    });

    test('an empty plan, or one equal to what is there, writes nothing', async () => {
      await f.addRows('Proposals', [row('B-1')]);
      const summaries = [
        { tab: 'Summary' as const, rows: [['Title'], ['As of 2026-11-23'], [], ['Measure', 'Value'], ['Total', 1]] },
      ];
      await f.store.write({ cells: [], appendActivity: [], issues: [], summaries });
      const before = await f.version();
      const result = await f.store.write({ cells: [], appendActivity: [], issues: [], summaries });
      expect(result.cellsWritten + result.rowsAppended).toBe(0);
      expect(await f.version()).toBe(before);
    });

    test('the Issues tab and summary tabs are replaced whole', async () => {
      const issue = {
        tab: 'Proposals',
        row: 2,
        id: 'B-1',
        column: 'Stage',
        message: 'Stage: is blank',
        severity: 'error' as const,
      };
      await f.store.write({ cells: [], appendActivity: [], issues: [issue, { ...issue, row: 3, id: 'B-2' }] });
      await f.store.write({ cells: [], appendActivity: [], issues: [issue] });
      expect((await f.readTab('Issues')).map((r) => r.ID)).toEqual(['B-1']);
    });

    test('the Tasks tab is read by header, and its system cells land on their own Task ID after a staff sort', async () => {
      await f.addRows('Tasks', [
        { 'Task ID': 'T-1', 'BUCP ID': 'B-1', Task: 'first', 'Owner Email': 'a@x.gov' },
        { 'Task ID': 'T-2', 'BUCP ID': 'B-1', Task: 'second', 'Owner Email': 'b@x.gov' },
      ]);
      const { tasks, layoutProblems, missingOptionalTabs } = await f.store.read();
      expect(layoutProblems).toEqual([]);
      expect(missingOptionalTabs ?? []).toEqual([]);
      expect(tasks.rows.map((r) => [r.rowNumber, r.cells['Task ID'], r.cells.Task])).toEqual([
        [2, 'T-1', 'first'],
        [3, 'T-2', 'second'],
      ]);
      f.betweenReadAndWrite(() => f.sortRows('Tasks', 'Task ID', true));
      await f.store.write({
        cells: ['T-1', 'T-2'].map((id) => ({
          tab: 'Tasks',
          id,
          values: { Status: { kind: 'text', value: `of ${id}` } },
        })),
        appendActivity: [],
      });
      expect((await f.readTab('Tasks')).map((r) => [r['Task ID'], r.Task, r.Status])).toEqual([
        ['T-2', 'second', 'of T-2'],
        ['T-1', 'first', 'of T-1'],
      ]);
      await expect(
        f.store.write({
          cells: [{ tab: 'Tasks', id: 'T-1', values: { Due: { kind: 'date', value: '2026-11-23' } } }],
          appendActivity: [],
        }),
      ).rejects.toThrow(/staff column "Due"/);
    });

    test('the Library tab is replaced whole, like a summary tab', async () => {
      const library = (title: string, extra: (string | number)[][] = []) => ({
        tab: 'Library' as const,
        rows: [[title], ['As of 2026-11-23'], [], ['x', 1], ...extra],
      });
      // The first library is longer: its surplus lines must go too.
      await f.store.write({ cells: [], appendActivity: [], summaries: [library('first', [['first lesson', 2]])] });
      await f.store.write({ cells: [], appendActivity: [], summaries: [library('second')] });
      // Read as the store shows it (a sheet's first row is its header, a base keeps lines in fields).
      const shown = JSON.stringify(await f.readTab('Library'));
      expect(shown).toContain('second');
      expect(shown).not.toContain('first');
      const before = await f.version();
      await f.store.write({ cells: [], appendActivity: [], summaries: [library('second')] });
      expect(await f.version()).toBe(before);
    });

    test('text that looks like a formula stays text, in staff cells and in what the service writes', async () => {
      const formula = '=IMPORTXML("http://x","//a")';
      await f.addRows('Proposals', [row('B-1', { Notes: formula })]);
      const { proposals } = await f.store.read();
      expect(proposals.rows[0]!.cells.Notes).toBe(formula);
      await f.store.write({
        cells: [{ tab: 'Proposals', id: 'B-1', values: { 'Row Issues': { kind: 'text', value: formula } } }],
        appendActivity: [],
      });
      const back = (await f.readTab('Proposals'))[0]!;
      expect(back['Row Issues']).toBe(formula);
      expect(back.Notes).toBe(formula);
    });
  });
}
