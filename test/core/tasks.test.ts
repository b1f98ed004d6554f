import { describe, expect, test } from 'vitest';
import { BusinessCalendar } from '../../src/core/calendar.ts';
import { emptyHistory, foldEvents } from '../../src/core/history.ts';
import { type Proposal, type Task, parseProposals, parseTasks } from '../../src/core/schema.ts';
import { evaluateTasks, taskStatus } from '../../src/core/tasks.ts';
import { stampAt } from '../../src/core/activity.ts';

const calendar = new BusinessCalendar();
const rules = { dueSoonBusinessDays: 2 };

// Late November 2026: Mon 23, Tue 24, Wed 25, Thanksgiving Thu 26 and Fri 27 (state holidays), Sat 28,
// Sun 29, Mon 30. Christmas Day 2026 is a Friday; New Year's Day 2027 a Friday.
describe('task status: Open, Due Soon, Overdue, Done (window of 2 business days)', () => {
  test.each([
    // today, due, done on, status, why
    ['2026-11-23', null, null, 'Open', 'no due date'],
    ['2026-11-23', '2026-12-31', null, 'Open', 'far off'],
    ['2026-11-23', '2026-11-23', null, 'Due Soon', 'due today'],
    ['2026-11-23', '2026-11-25', null, 'Due Soon', 'two business days away'],
    ['2026-11-23', '2026-11-30', null, 'Open', 'three business days away (24, 25, 30): the holidays do not count'],
    ['2026-11-24', '2026-11-30', null, 'Due Soon', 'two business days away over Thanksgiving (25, 30)'],
    ['2026-11-25', '2026-11-30', null, 'Due Soon', 'one business day away: four calendar days'],
    ['2026-11-25', '2026-12-01', null, 'Due Soon', 'two business days away (30, 1) though six calendar days'],
    ['2026-11-25', '2026-12-02', null, 'Open', 'three business days away'],
    ['2026-11-25', '2026-11-28', null, 'Due Soon', 'due on a Saturday after two holidays: no business day between'],
    ['2026-11-20', '2026-11-24', null, 'Due Soon', 'Friday to Tuesday: the weekend does not count'],
    ['2026-11-19', '2026-11-24', null, 'Open', 'Thursday to Tuesday: three business days'],
    ['2026-12-23', '2026-12-28', null, 'Due Soon', 'over Christmas Day (a Friday holiday): 24, 28'],
    ['2026-12-30', '2027-01-04', null, 'Due Soon', "over New Year's Day into the next year: 31, 4"],
    ['2026-11-24', '2026-11-23', null, 'Overdue', 'due yesterday'],
    ['2026-11-30', '2026-11-26', null, 'Overdue', 'due on a holiday, now past'],
    ['2026-11-24', '2026-11-23', '2026-11-23', 'Done', 'done on time'],
    ['2026-11-24', '2026-11-20', '2026-11-24', 'Done', 'done late is still done'],
    ['2026-11-24', null, '2026-11-20', 'Done', 'done without a due date'],
  ] as const)('today %s, due %s, done %s: %s (%s)', (today, due, doneOn, status, _why) => {
    expect(taskStatus({ due, doneOn }, today, calendar, rules)).toBe(status);
  });

  test.each([
    [0, '2026-11-23', 'Due Soon'],
    [0, '2026-11-24', 'Open'],
    [5, '2026-12-02', 'Due Soon'], // 24, 25, 30, 1, 2
    [5, '2026-12-03', 'Open'],
  ] as const)('a window of %i business days: due %s on 2026-11-23 is %s', (window, due, status) => {
    expect(taskStatus({ due, doneOn: null }, '2026-11-23', calendar, { dueSoonBusinessDays: window })).toBe(status);
  });

  test('a holiday added in the config counts as closed; a removed one as open', () => {
    const added = new BusinessCalendar({ add: ['2026-11-24'] });
    expect(taskStatus({ due: '2026-11-30', doneOn: null }, '2026-11-23', added, rules)).toBe('Due Soon');
    const removed = new BusinessCalendar({ remove: ['2026-11-27'] });
    expect(taskStatus({ due: '2026-11-30', doneOn: null }, '2026-11-24', removed, rules)).toBe('Open');
  });
});

const context = { today: '2026-11-25', departments: ['DHCS', 'CDPH'] };

function proposals(rows: Record<string, unknown>[]): Proposal[] {
  const table = { headers: [], rows: rows.map((cells, i) => ({ rowNumber: i + 2, cells: cells as never })) };
  return parseProposals(table, context).records;
}

function tasks(rows: Record<string, unknown>[], known: string[]) {
  const table = { headers: [], rows: rows.map((cells, i) => ({ rowNumber: i + 2, cells: cells as never })) };
  return parseTasks(table, context, new Set(known));
}

const PROPOSALS = proposals([
  { 'BUCP ID': 'B-1', Stage: 'Drafting' },
  { 'BUCP ID': 'B-2', Stage: 'Closed' },
  { 'BUCP ID': 'B-3', Stage: 'Withdrawn' },
  { 'BUCP ID': 'B-4', Stage: 'Active' },
]);

describe('which tasks are reminded', () => {
  const task = (id: string, bucpId: string | null, extra: Record<string, unknown> = {}) => ({
    'Task ID': id,
    'BUCP ID': bucpId,
    Task: `do ${id}`,
    'Owner Email': 'owner@cdph.example.gov',
    Due: '2026-11-24',
    ...extra,
  });

  test.each([
    // task row, reminder, why
    [task('T-1', 'B-1'), 'task-overdue', 'overdue on an open proposal'],
    [task('T-2', 'B-1', { Due: '2026-11-30' }), 'task-due-soon', 'due soon'],
    [task('T-3', 'B-1', { Due: '2026-12-31' }), null, 'open: not yet'],
    [task('T-4', 'B-1', { 'Done On': '2026-11-20' }), null, 'done'],
    [task('T-5', 'B-2'), null, 'the proposal is Closed'],
    [task('T-6', 'B-3'), null, 'the proposal is Withdrawn'],
    [task('T-7', 'B-4'), 'task-overdue', 'an Active proposal still has its tasks'],
    [task('T-8', 'B-1', { 'Owner Email': null }), null, 'nobody to remind'],
    [task('T-9', 'B-404'), 'task-overdue', 'an unknown BUCP ID is reported, and the owner still reminded'],
    [task('T-10', 'B-1', { 'Owner Email': 'not an email' }), null, 'a row with an error is not reminded'],
  ] as const)('%o → %s (%s)', (row, reminder, _why) => {
    const parsed = tasks([row], ['B-1', 'B-2', 'B-3', 'B-4']);
    const [finding] = evaluateTasks({
      tasks: parsed.records,
      proposals: PROPOSALS,
      history: emptyHistory(),
      today: '2026-11-25',
      calendar,
      rules,
    });
    expect(finding!.reminder).toBe(reminder);
  });

  test('each (task, level, due date, owner) is reminded once; a new due date starts afresh', () => {
    const parsed = tasks([task('T-1', 'B-1')], ['B-1']);
    const sent = foldEvents(emptyHistory(), [
      stampAt('2026-11-25T08:00:00-08:00')({
        on: '2026-11-25',
        bucpId: 'B-1',
        disputeId: '',
        kind: 'task-reminder-sent',
        from: 'task-overdue',
        to: 'owner@cdph.example.gov',
        detail: 'task T-1 overdue, due 2026-11-24',
        key: 'task-overdue:T-1:2026-11-24:owner@cdph.example.gov',
        data: { taskId: 'T-1', due: '2026-11-24' },
      }),
    ]);
    const input = { proposals: PROPOSALS, today: '2026-11-30', calendar, rules };
    expect(evaluateTasks({ ...input, tasks: parsed.records, history: sent })[0]!.reminder).toBeNull();
    const moved = tasks([task('T-1', 'B-1', { Due: '2026-11-25' })], ['B-1']);
    expect(evaluateTasks({ ...input, tasks: moved.records, history: sent })[0]!.reminder).toBe('task-overdue');
    const otherOwner = tasks([task('T-1', 'B-1', { 'Owner Email': 'new@cdph.example.gov' })], ['B-1']);
    expect(evaluateTasks({ ...input, tasks: otherOwner.records, history: sent })[0]!.reminder).toBe('task-overdue');
  });
});

describe('Tasks rows', () => {
  test.each([
    [{ 'Task ID': 'T-1', 'BUCP ID': 'B-404', Task: 'x' }, 'BUCP ID', 'warning', /B-404 matches no proposal/],
    [{ 'Task ID': 'T-1', Task: 'x' }, 'BUCP ID', 'error', /is blank/],
    [{ 'BUCP ID': 'B-1', Task: 'x' }, 'Task ID', 'error', /no Task ID/],
    [{ 'Task ID': 'T-1', 'BUCP ID': 'B-1', Due: 'soon' }, 'Due', 'error', /Due/],
    [{ 'Task ID': 'T-1', 'BUCP ID': 'B-1', 'Done On': '2026-12-31' }, 'Done On', 'error', /in the future/],
    [{ 'Task ID': 'T-1', 'BUCP ID': 'B-1', Due: '2026-12-01' }, 'Owner Email', 'warning', /nobody is reminded/],
  ] as const)('%o: %s %s', (row, column, severity, message) => {
    const { issues } = tasks([row], ['B-1']);
    expect(issues).toEqual([expect.objectContaining({ tab: 'Tasks', row: 2, column, severity })]);
    expect(issues[0]!.message).toMatch(message);
  });

  test('a Task ID on two rows makes both invalid, and only the first stands for the ID', () => {
    const parsed = tasks(
      [
        { 'Task ID': 'T-1', 'BUCP ID': 'B-1', Due: '2026-11-24', 'Owner Email': 'a@x.gov' },
        { 'Task ID': 'T-1', 'BUCP ID': 'B-1', Due: '2026-11-24', 'Owner Email': 'b@x.gov' },
      ],
      ['B-1'],
    );
    expect(parsed.issues.map((i) => i.row)).toEqual([2, 3]);
    const findings = evaluateTasks({
      tasks: parsed.records as Task[],
      proposals: PROPOSALS,
      history: emptyHistory(),
      today: '2026-11-25',
      calendar,
      rules,
    });
    expect(findings.map((f) => [f.task.ownerEmail, f.status, f.reminder])).toEqual([['a@x.gov', 'Overdue', null]]);
  });
});
