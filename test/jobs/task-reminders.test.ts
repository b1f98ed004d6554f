import ExcelJS from 'exceljs';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterEach, describe, expect, test } from 'vitest';
import { PROPOSAL_COLUMNS, TASK_COLUMNS } from '../../src/core/contract.ts';
import type { Mailer } from '../../src/core/ports.ts';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import { airtableWorkspace } from '../support/airtable.ts';
import { googleWorkspace } from '../support/google.ts';
import { mailerOnRelay } from '../support/smtp-server.ts';
import { type Row, d, enteredDaysAgo, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

/**
 * One tracker on one store, as the end-to-end test needs it. A store is a rig: adding a store (Airtable)
 * to this test is one more entry in RIGS.
 */
interface TrackerRig {
  addProposals(rows: readonly Row[]): Promise<void>;
  addTasks(rows: readonly Row[]): Promise<void>;
  run(now: string, mailer: Mailer): Promise<CycleReport>;
  /** Every row of a tab in sheet order, header → value as the store gives it back. */
  rows(tab: string): Promise<Record<string, unknown>[]>;
  /** A tab's cells as a grid of values: for the summary tabs, which have no header row. */
  grid(tab: string): Promise<unknown[][]>;
  stop(): Promise<void>;
}

const RIGS: readonly { name: string; make(): Promise<TrackerRig> }[] = [
  {
    name: 'local workbook',
    async make() {
      const ws = await makeWorkspace();
      return {
        addProposals: (rows) => ws.addProposals(rows),
        addTasks: (rows) => ws.addTasks(rows),
        run: (now, mailer) => ws.run(now, { mailer }),
        rows: (tab) => readAllRows(ws.tracker.path, tab),
        grid: async (tab) => {
          const workbook = new ExcelJS.Workbook();
          await workbook.xlsx.readFile(ws.tracker.path);
          const grid: unknown[][] = [];
          workbook.getWorksheet(tab)!.eachRow((row) => grid.push((row.values as unknown[]).slice(1)));
          return grid;
        },
        stop: async () => undefined,
      };
    },
  },
  {
    name: 'Google Sheets',
    async make() {
      const ws = await googleWorkspace({ quota: false });
      return {
        addProposals: async (rows) => ws.addProposals(rows),
        addTasks: async (rows) => ws.addTasks(rows),
        run: (now, mailer) => ws.run(now, mailer),
        rows: async (tab) => ws.lines(tab),
        grid: async (tab) => ws.emulator.sheet(ws.tracker.spreadsheetId, tab).values({ render: 'UNFORMATTED_VALUE' }),
        stop: () => ws.stop(),
      };
    },
  },
  {
    name: 'Airtable',
    async make() {
      const ws = await airtableWorkspace();
      return {
        addProposals: async (rows) => ws.addProposals(rows),
        addTasks: async (rows) => ws.addTasks(rows),
        run: (now, mailer) => ws.run(now, mailer),
        rows: async (tab) => ws.records(tab).map((r) => r.fields),
        // A summary table is numbered lines of text fields A, B, ...: as a grid, without trailing blanks.
        grid: async (tab) =>
          ws
            .records(tab)
            .sort((a, b) => Number(a.fields.Line) - Number(b.fields.Line))
            .map((r) => {
              const cells = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((c) => r.fields[c] ?? null);
              while (cells.length > 0 && cells.at(-1) === null) cells.pop();
              return cells;
            }),
        stop: () => ws.stop(),
      };
    },
  },
];

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A real SMTP relay that keeps every message it accepts, parsed. */
async function relay() {
  const received: ParsedMail[] = [];
  const { mailer, close } = await mailerOnRelay({
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  closers.push(close);
  return { mailer, received };
}

const COORDINATOR = 'coord@dhcs.example.gov';
const OWNER = 'owner@cdph.example.gov';

const task = (id: string, bucpId: string, owner: string, due: string | null, extra: Row = {}): Row => ({
  'Task ID': id,
  'BUCP ID': bucpId,
  Task: `Task ${id}`,
  'Owner Email': owner,
  Due: due ? d(due) : null,
  ...extra,
});

/** The staff columns of a tab's rows, compared as text: what a cycle must never change. */
function staffCells(rows: Record<string, unknown>[], headers: readonly string[]): string {
  return JSON.stringify(
    rows.map((r) =>
      headers.map((h) => {
        const v = r[h];
        return v instanceof Date ? v.toISOString().slice(0, 10) : v === '' ? null : (v ?? null);
      }),
    ),
  );
}
const staffHeaders = (columns: typeof TASK_COLUMNS) => columns.filter((c) => c.owner === 'staff').map((c) => c.header);

/** The task lines of a parsed digest: "T-1 (Due Soon" → ['T-1', 'Due Soon']. */
function taskLines(mail: ParsedMail): string[] {
  return [...(mail.text ?? '').matchAll(/^- (T-\d+) \((Due Soon|Overdue), due/gm)].map((m) => `${m[1]} ${m[2]}`);
}

// Late November 2026: Mon 23, Tue 24, Wed 25, Thanksgiving Thu 26 and Fri 27, Mon 30, Tue 1 December.
describe.each(RIGS)('task reminders over several days, on the $name', (rig) => {
  test('each task reminder once, one digest per person per day, a same-day rerun sends nothing, staff cells kept', async () => {
    const tracker = await rig.make();
    closers.push(() => tracker.stop());
    const { mailer, received } = await relay();
    await tracker.addProposals([
      // Drafting (SLA 15) 13 business days in on the 23rd: its coordinator gets a Due Soon reminder that day.
      proposal('P-1', {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 13),
        'Requesting Coordinator Email': COORDINATOR,
      }),
      proposal('P-2', { Stage: 'Withdrawn', 'Stage Entered On': d('2026-11-02') }),
    ]);
    await tracker.addTasks([
      // The coordinator also owns a task: it shares the coordinator's one digest of the 23rd.
      task('T-1', 'P-1', COORDINATOR, '2026-11-24'),
      // Due the Monday after Thanksgiving: three business days away on the 23rd, two on the 24th.
      task('T-2', 'P-1', OWNER, '2026-11-30'),
      task('T-3', 'P-2', OWNER, '2026-11-20'), // its proposal is Withdrawn: never reminded
      task('T-4', 'P-1', OWNER, '2026-11-23', { 'Done On': d('2026-11-20') }),
      task('T-5', 'P-404', OWNER, '2026-12-31', { Notes: 'which proposal?' }),
    ]);
    const staffBefore = {
      proposals: staffCells(await tracker.rows('Proposals'), staffHeaders(PROPOSAL_COLUMNS)),
      tasks: staffCells(await tracker.rows('Tasks'), staffHeaders(TASK_COLUMNS)),
    };

    const days: [string, string[]][] = [
      ['2026-11-23T08:00', [`digest:${COORDINATOR}:2026-11-23`]],
      ['2026-11-23T11:00', []], // a rerun the same day
      ['2026-11-24T08:00', [`digest:${OWNER}:2026-11-24`]],
      ['2026-11-25T08:00', [`digest:${COORDINATOR}:2026-11-25`]],
      ['2026-11-26T08:00', []], // Thanksgiving: nothing is sent
      ['2026-11-30T08:00', [`digest:${COORDINATOR}:2026-11-30`]], // P-1 is now Stalled; T-2 is due today, already reminded
      ['2026-12-01T08:00', [`digest:${OWNER}:2026-12-01`]],
      ['2026-12-01T15:00', []],
    ];
    for (const [now, keys] of days) {
      const report = await tracker.run(now, mailer);
      expect(report.failures, now).toEqual([]);
      expect(
        report.notifications.filter((n) => n.sent).map((n) => n.idempotencyKey),
        now,
      ).toEqual(keys);
    }

    // What the relay received: one message per person per day, and each task reminder exactly once.
    // Each message's key names its recipient and day (`digest:<to>:<day>`): no key may come twice.
    const keys = received.map((m) => String(m.headers.get('x-bucp-idempotency-key')));
    expect(keys.every((k, i) => k.startsWith(`digest:${(received[i]!.to as { text: string }).text}:`))).toBe(true);
    expect(new Set(keys).size).toBe(received.length);
    expect(received.map((m) => [String((m.to as { text: string }).text), taskLines(m)])).toEqual([
      [COORDINATOR, ['T-1 Due Soon']],
      [OWNER, ['T-2 Due Soon']],
      [COORDINATOR, ['T-1 Overdue']],
      [COORDINATOR, []],
      [OWNER, ['T-2 Overdue']],
    ]);
    // The coordinator's first digest holds both the proposal and the task.
    expect(received[0]!.text).toContain('P-1: Use case P-1');
    expect(received[0]!.subject).toBe(
      'BUCP reminder: 1 proposal needs attention (Due Soon); 1 task due soon or overdue',
    );
    expect(received[1]!.subject).toBe('BUCP reminder: 1 task due soon or overdue');

    // The system columns say where each task stands; the unknown proposal is a row issue.
    const tasks = await tracker.rows('Tasks');
    expect(tasks.map((t) => [t['Task ID'], t.Status])).toEqual([
      ['T-1', 'Overdue'],
      ['T-2', 'Overdue'],
      ['T-3', 'Overdue'],
      ['T-4', 'Done'],
      ['T-5', 'Open'],
    ]);
    expect(String(tasks[4]!['Row Issues'])).toMatch(/P-404 matches no proposal/);
    // Staff cells are as staff left them.
    expect(staffCells(await tracker.rows('Proposals'), staffHeaders(PROPOSAL_COLUMNS))).toBe(staffBefore.proposals);
    expect(staffCells(tasks, staffHeaders(TASK_COLUMNS))).toBe(staffBefore.tasks);
    // The Task Metrics tab counts open and overdue tasks by owner.
    const metrics = (await tracker.grid('Task Metrics')).map((r) => r.join('|'));
    expect(metrics).toContain(`${OWNER}|3|0|2`);
    expect(metrics).toContain(`${COORDINATOR}|1|0|1`);
    expect(metrics).toContain('P-1|2|0|2');
  });
});
