import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readActivityLog } from '../../src/core/activity.ts';
import type { CellValue } from '../../src/core/cells.ts';
import { OPEN_STAGES, PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { columnLetter } from '../../src/core/layout.ts';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import type { WriteHookContext } from '../emulator/sheets-emulator.ts';
import { googleWorkspace } from '../support/google.ts';
import { cycleTimes, seeded } from '../support/chaos.ts';
import { RecordingMailer, lineTimesByKey } from '../support/recording-mailer.ts';
import { d, enteredDaysAgo, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

const STAFF = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);
/** The open stages, and Active. */
const STAGES: string[] = [...OPEN_STAGES, 'Active'];
const CYCLES = 200;

/** Business days from 2026-11-23 on, four cycles each. */
const schedule = (): string[] => cycleTimes(CYCLES, ['07:30', '10:00', '13:00', '16:30']);

type StaffAction = (ctx: Pick<WriteHookContext, 'sortRows' | 'insertRow' | 'editCell' | 'sheet'>) => void;

/** The same staff behaviour for both runs: drawn from one seed, applied through the emulator. */
function staffActions(header: string[]): (StaffAction | null)[] {
  const random = seeded(42);
  const actions: (StaffAction | null)[] = [];
  let next = 100;
  const col = (h: string) => columnLetter(header.indexOf(h) + 1);
  for (let i = 0; i < CYCLES; i += 1) {
    const roll = random();
    const row = 2 + Math.floor(random() * 25);
    const by = STAFF[Math.floor(random() * 8)]!;
    const descending = random() < 0.5;
    if (roll < 0.2) actions.push((ctx) => ctx.sortRows('Proposals', { header: by }, descending));
    else if (roll < 0.3) {
      const id = `N-${(next += 1)}`;
      const values = proposal(id, { Stage: STAGES[next % 7]!, 'Stage Entered On': null });
      actions.push((ctx) =>
        ctx.insertRow(
          'Proposals',
          row,
          header.map((h) => (values[h] as string | null | undefined) ?? null),
        ),
      );
    } else if (roll < 0.45) {
      const text = `edited in cycle ${i}`;
      actions.push((ctx) => ctx.editCell('Proposals', `${col('Notes')}${row}`, text));
    } else if (roll < 0.55) {
      const stage = STAGES[Math.floor(random() * STAGES.length)]!;
      actions.push((ctx) => ctx.editCell('Proposals', `${col('Stage')}${row}`, stage));
    } else actions.push(null);
  }
  return actions;
}

async function tracker(): Promise<Workspace> {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  ws.addProposals(
    Array.from({ length: 24 }, (_, i) =>
      proposal(`B-${i + 1}`, {
        Stage: STAGES[i % STAGES.length]!,
        'Stage Entered On': enteredDaysAgo('2026-11-23', (i * 5) % 30),
        'Requesting Coordinator Email': `req${i % 5}@dhcs.example.gov`,
        'Providing Coordinator Email': `prov${i % 4}@cdph.example.gov`,
        'Sponsor Email': i % 3 === 0 ? null : `sponsor${i % 2}@dhcs.example.gov`,
        'Next Action Owner Email': `owner${i % 3}@dhcs.example.gov`,
        'Next Action Due': d('2026-11-30'),
        Notes: `note ${i + 1}`,
      }),
    ),
  );
  ws.addRestricted(Array.from({ length: 24 }, (_, i) => ({ 'BUCP ID': `B-${i + 1}` })));
  ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-2',
      'Raised On': '2026-11-02',
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
  return ws;
}

function rowsOf(ws: Workspace): Record<string, unknown>[] {
  const [header = [], ...rows] = ws.emulator
    .sheet(ws.tracker.spreadsheetId, 'Proposals')
    .values({ render: 'UNFORMATTED_VALUE' });
  // Empty cells come back as "" mid-row and not at all at a row's end: both are blank.
  return rows
    .filter((r) => r.length > 0)
    .map((r) => Object.fromEntries(header.map((h, i) => [String(h), r[i] === '' ? null : (r[i] ?? null)])));
}

/** How many times the service's own Activity Log reader, which skips a repeated line, reads each key's send. */
function sentAsRead(lines: readonly Record<string, unknown>[]): Record<string, number> {
  const rows = lines.map((cells, i) => ({ rowNumber: i + 2, cells: cells as Record<string, CellValue> }));
  const counts: Record<string, number> = {};
  for (const event of readActivityLog(rows)) {
    if (event.kind === 'notification-sent') counts[event.key] = (counts[event.key] ?? 0) + 1;
  }
  return counts;
}

/** Staff acting on the spreadsheet outside any request, shaped like a write hook's context. */
function direct(ws: Workspace): Parameters<StaffAction>[0] {
  const ref = (sheet: string | { title: string }) => ({
    spreadsheetId: ws.tracker.spreadsheetId,
    title: typeof sheet === 'string' ? sheet : sheet.title,
  });
  return {
    sheet: (title) => ws.emulator.sheet(ws.tracker.spreadsheetId, title),
    sortRows: (sheet, column, descending) => ws.emulator.sortRows(ref(sheet), column, descending),
    insertRow: (sheet, at, values) => ws.emulator.insertRow(ref(sheet), at, values),
    editCell: (sheet, a1, value) => ws.emulator.editCell(ref(sheet), a1, value),
  };
}

async function run(ws: Workspace, mailer: RecordingMailer, actions: (StaffAction | null)[], chaos: boolean) {
  const reports: CycleReport[] = [];
  let failedCycles = 0;
  let repairs = 0;
  for (const [i, now] of schedule().entries()) {
    const action = actions[i];
    let done = false;
    // Half the time staff act before the cycle's first write, half right before the cell write itself,
    // after the store has looked up where each ID is: that is the case its verify-and-repair covers.
    const remove = action
      ? ws.emulator.onBeforeWrite(
          (ctx) => {
            action(ctx);
            done = true;
          },
          i % 2 === 0 ? {} : { apis: ['values.batchUpdate'] },
        )
      : () => {};
    const callsBefore = ws.emulator.calls.length;
    const staffBefore = new Map(rowsOf(ws).map((r) => [String(r['BUCP ID']), STAFF.map((h) => r[h])]));
    try {
      const report = await ws.run(now, mailer);
      reports.push(report);
      // Every system value sits on its own BUCP ID.
      for (const row of rowsOf(ws)) {
        const finding = report.findings.find((f) => f.bucpId === row['BUCP ID']);
        if (!finding || finding.status === null) continue;
        expect(row.Status, `${now} ${finding.bucpId}`).toBe(finding.status);
        expect(row['Business Days in Stage'], `${now} ${finding.bucpId}`).toBe(finding.businessDaysInStage);
      }
    } catch (error) {
      failedCycles += 1;
      if (!chaos) throw error;
    } finally {
      remove();
      const cellWrites = ws.emulator.calls
        .slice(callsBefore)
        .filter((c) => c.api === 'values.batchUpdate' && c.status === 200).length;
      if (cellWrites > 1) repairs += 1;
      // Keep both runs fed the same staff behaviour even when a cycle never reached its write.
      if (action && !done) action(direct(ws));
    }
    // No staff cell was changed by the service: every row keeps what staff had typed before the cycle,
    // apart from the one edit staff made during it.
    for (const row of rowsOf(ws)) {
      const before = staffBefore.get(String(row['BUCP ID']));
      if (!before) continue;
      const now = STAFF.map((h) => row[h]);
      const changed = now.filter((v, c) => v !== before[c]).length;
      expect(changed, `${String(row['BUCP ID'])} at cycle ${i}`).toBeLessThanOrEqual(action ? 1 : 0);
    }
  }
  return { reports, failedCycles, repairs };
}

test(`chaos: ${CYCLES} cycles, 20% of calls failing, writes applied with their answers lost, staff sorting, inserting and editing between read and write`, async () => {
  const calm = await tracker();
  const stormy = await tracker();
  const header = calm.header('Proposals');
  const actions = staffActions(header);

  const calmMailer = new RecordingMailer(calm.outbox);
  const stormyMailer = new RecordingMailer(stormy.outbox);
  const reference = await run(calm, calmMailer, actions, false);
  stormy.emulator.faults({ rate: 0.2, statuses: [429, 500, 503], dropAfterApplyRate: 0.1, seed: 7 });
  const result = await run(stormy, stormyMailer, actions, true);
  stormy.emulator.faults(null);

  const calls = stormy.emulator.calls;
  const faulted = calls.filter((c) => c.fault).length;
  expect(faulted / calls.length).toBeGreaterThan(0.12);
  // Writes were applied and their answers lost, so the store sent them again: Activity Log appends too.
  expect(calls.filter((c) => c.fault === 'dropAfterApply' && c.api === 'values.append').length).toBeGreaterThan(5);
  // Every outbox file has its own key.
  const sent = await stormy.outbox.entries();
  const keys = sent.map((e) => e.key);
  expect(new Set(keys).size).toBe(keys.length);
  const files = (await readdir(stormy.outbox.dir)).filter((f) => f.endsWith('.eml'));
  expect(files).toHaveLength(keys.length);
  // Every due reminder was sent: the stormy run sent exactly what the calm run sent.
  const calmKeys = (await calm.outbox.entries()).map((e) => e.key).sort();
  expect(calmKeys.length).toBeGreaterThan(50);
  expect(keys.sort()).toEqual(calmKeys);
  // No email twice. The outbox answers a key it already holds as a duplicate and writes nothing, so its
  // files cannot show a resend: the send calls can. Each key was asked for once, in either run.
  const once = Object.fromEntries(calmKeys.map((k) => [k, 1]));
  expect(calmMailer.timesAsked()).toEqual(once);
  expect(stormyMailer.timesAsked()).toEqual(once);
  // The log may hold a send's line more than once: a retried append repeats its block, with the same
  // cycle time. The service's own log reader reads each send once.
  const lines = stormy.lines('Activity Log');
  const repeated = Object.values(lineTimesByKey(lines, 'notification-sent')).filter((times) => times.length > 1);
  expect(repeated.length).toBeGreaterThan(0);
  expect(sentAsRead(lines)).toEqual(once);
  expect(result.reports.length + result.failedCycles).toBe(CYCLES);
  expect(reference.failedCycles).toBe(0);
  // Staff moved rows under a write often enough for the store to have repaired positions.
  expect(reference.repairs).toBeGreaterThan(5);
  expect(result.repairs).toBeGreaterThan(5);
  // And the two trackers agree on every row.
  const key = (rows: Record<string, unknown>[]) =>
    rows.map((r) => JSON.stringify([r['BUCP ID'], r.Status, r['Stage Since'], r.Notes])).sort();
  expect(key(rowsOf(stormy))).toEqual(key(rowsOf(calm)));
  expect(path.basename(stormy.outbox.dir)).toBe('outbox');
});
