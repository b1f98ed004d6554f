import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import { runInit } from '../../src/jobs/init.job.ts';
import { LayoutError } from '../../src/jobs/run-cycle.job.ts';
import { d, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

/**
 * A tracker made before the Activity Log had its Data column, with a log written then: the due date of
 * a next-action reminder and a permanent failure lived in the Detail text.
 */
async function makeOldTracker() {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('B-1', {
      Stage: 'Drafting',
      'Stage Entered On': d('2026-11-16'),
      'Next Action': 'send the draft',
      'Next Action Owner Email': 'owner@dhcs.example.gov',
      'Next Action Due': d('2026-11-18'),
    }),
  ]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(ws.tracker.path);
  const log = workbook.getWorksheet('Activity Log')!;
  const data = log.getRow(1).values as unknown[];
  expect(data.at(-1)).toBe('Data');
  log.spliceColumns(data.length - 1, 1);
  log.addRow([
    '2026-11-16T09:00:00-08:00',
    '2026-11-16',
    'B-1',
    '',
    'first-seen',
    '',
    'Drafting',
    'since 2026-11-16 (Stage Entered On)',
    'first-seen:B-1:>Drafting:2026-11-16:2026-11-16',
  ]);
  log.addRow([
    '2026-11-19T08:00:00-08:00',
    '2026-11-19',
    'B-1',
    '',
    'reminder-sent',
    'next-action',
    'owner@dhcs.example.gov',
    'due 2026-11-18: send the draft',
    'next-action:B-1:owner@dhcs.example.gov:2026-11-19',
  ]);
  await workbook.xlsx.writeFile(ws.tracker.path);
  return ws;
}

test('an older tracker: the cycle stops and names the Data column until bucp init adds it', async () => {
  const ws = await makeOldTracker();
  await expect(ws.run('2026-11-20T08:00')).rejects.toThrow(LayoutError);
  await expect(ws.run('2026-11-20T08:00')).rejects.toThrow(/"Activity Log" tab lacks the column\(s\) "Data"/);
  expect(await ws.sent()).toEqual([]);

  const report = await runInit({ config: ws.config, store: ws.tracker, restricted: ws.restricted });
  expect(report.tracker.repaired.join('; ')).toMatch(/Data/);
  const lines = await readAllRows(ws.tracker.path, 'Activity Log');
  expect(lines.map((l) => l.Kind)).toEqual(['first-seen', 'reminder-sent']);
});

test('after the upgrade, old lines still count: the next action reminded on 11-19 is not repeated for 5 business days', async () => {
  const ws = await makeOldTracker();
  await runInit({ config: ws.config, store: ws.tracker, restricted: ws.restricted });

  // 11-20 is one business day after the old reminder: nothing is due.
  const friday = await ws.run('2026-11-20T08:00');
  expect(friday.notifications).toEqual([]);
  // 11-27 is the day after Thanksgiving, a holiday: 11-30 is the fifth business day after 11-19 (11-20,
  // 11-23, 11-24, 11-25, 11-30), and the reminder repeats.
  const before = await ws.run('2026-11-25T08:00');
  expect(before.notifications).toEqual([]);
  const due = await ws.run('2026-11-30T08:00');
  expect(due.notifications.map((n) => [n.kind, n.to, n.sent])).toEqual([
    ['next-action', ['owner@dhcs.example.gov'], true],
  ]);
  const lines = await readAllRows(ws.tracker.path, 'Activity Log');
  const reminder = lines.filter((l) => l.Kind === 'reminder-sent').at(-1)!;
  expect(JSON.parse(String(reminder.Data))).toEqual({ due: '2026-11-18' });
});
