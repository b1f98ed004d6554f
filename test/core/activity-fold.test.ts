import { describe, expect, test } from 'vitest';
import { ACTIVITY_HEADERS, type ActivityEvent, activityRow, readActivityLog } from '../../src/core/activity.ts';
import type { SheetRow } from '../../src/core/cells.ts';
import { type History, foldEvents, historyFromLog } from '../../src/core/history.ts';

/** Activity Log lines as a store reads them: one row of cells by header each. */
function lines(events: readonly ActivityEvent[], firstRow = 2): SheetRow[] {
  return events.map((event, i) => ({
    rowNumber: firstRow + i,
    cells: Object.fromEntries(ACTIVITY_HEADERS.map((h, c) => [h, activityRow(event)[c] || null])),
  }));
}

function fold(rows: readonly SheetRow[]): { history: History } {
  return { history: historyFromLog(rows) };
}

const cycle = (day: string) => `${day}T09:00:00-08:00`;

const firstSeen = (at: string, on: string): ActivityEvent => ({
  at,
  on,
  bucpId: 'B-1',
  disputeId: '',
  kind: 'first-seen',
  from: '',
  to: 'Drafting',
  detail: '',
  key: `first-seen:B-1:>Drafting:${on}:${at.slice(0, 10)}`,
});

const stageChange = (at: string, on: string, from: string, to: string): ActivityEvent => ({
  at,
  on,
  bucpId: 'B-1',
  disputeId: '',
  kind: 'stage-change',
  from,
  to,
  detail: '',
  key: `stage-change:B-1:${from}>${to}:${on}:${at.slice(0, 10)}`,
});

const failed = (at: string, key: string): ActivityEvent => ({
  at,
  on: at.slice(0, 10),
  bucpId: 'B-1',
  disputeId: '',
  kind: 'notification-failed',
  from: 'reminder',
  to: 'coordinator@dhcs.ca.gov',
  detail: 'temporary: 451 try later',
  key,
  data: { permanent: false, error: '451 try later' },
});

describe('folding the Activity Log', () => {
  test('a block of lines appended twice by a retried append is folded once', () => {
    const block = [
      stageChange(cycle('2026-11-10'), '2026-11-10', 'Drafting', 'Internal Review'),
      failed(cycle('2026-11-10'), 'digest:a@dhcs.ca.gov:2026-11-10'),
    ];
    const once = fold(lines([firstSeen(cycle('2026-11-02'), '2026-11-02'), ...block]));
    const twice = fold(lines([firstSeen(cycle('2026-11-02'), '2026-11-02'), ...block, ...block]));
    expect(twice.history.notifications.failures.get('digest:a@dhcs.ca.gov:2026-11-10')?.count).toBe(1);
    // The stage change counted twice would make the visit its own predecessor.
    expect(twice.history.proposals.get('B-1')).toEqual(once.history.proposals.get('B-1'));
    expect(twice.history.proposals.get('B-1')?.stage).toMatchObject({
      value: 'Internal Review',
      since: '2026-11-10',
      previousSince: '2026-11-02',
    });
  });

  test('the same key at another time is another event: a send that failed in two cycles failed twice', () => {
    const key = 'digest:a@dhcs.ca.gov:2026-11-10';
    const memory = fold(lines([failed(cycle('2026-11-10'), key), failed(cycle('2026-11-11'), key)]));
    expect(memory.history.notifications.failures.get(key)?.count).toBe(2);
  });

  test('repeats are still recognised after lines of other times came between (a second writer)', () => {
    const key = 'digest:a@dhcs.ca.gov:2026-11-10';
    const mine = failed(cycle('2026-11-10'), key);
    const others = Array.from({ length: 6 }, (_, i) =>
      failed(`2026-11-10T09:0${i + 1}:00-08:00`, `digest:b${i}@dhcs.ca.gov:2026-11-10`),
    );
    const memory = fold(lines([mine, ...others, mine]));
    expect(memory.history.notifications.failures.get(key)?.count).toBe(1);
  });

  test('a line a person typed or damaged is skipped, and the lines around it still count', () => {
    const rows = lines([firstSeen(cycle('2026-11-02'), '2026-11-02')]);
    const damaged: SheetRow = { rowNumber: 3, cells: { ...rows[0]!.cells, Kind: 'first seen?', On: 'soon' } };
    const typed: SheetRow = { rowNumber: 4, cells: { At: null, Kind: 'note', Detail: 'called them' } };
    const after = lines([failed(cycle('2026-11-03'), 'k')], 5);
    const memory = fold([...rows, damaged, typed, ...after]);
    expect(memory.history.proposals.get('B-1')?.stage?.value).toBe('Drafting');
    expect(memory.history.notifications.failures.get('k')?.count).toBe(1);
  });
});

/**
 * Lines exactly as the service wrote them before the Data column: the next-action due date and a
 * failure's permanence were in the Detail text. Existing trackers keep such lines for years.
 */
const LEGACY_LINES: SheetRow[] = [
  [
    '2026-11-02T09:00:00-08:00',
    '2026-11-02',
    'B-1',
    '',
    'first-seen',
    '',
    'Drafting',
    'since 2026-11-02 (detected)',
    'first-seen:B-1:>Drafting:2026-11-02:2026-11-02',
  ],
  [
    '2026-11-05T08:00:00-08:00',
    '2026-11-05',
    'B-1',
    '',
    'reminder-sent',
    'next-action',
    'owner@dhcs.ca.gov',
    'due 2026-11-03: send the draft',
    'next-action:B-1:owner@dhcs.ca.gov:2026-11-05',
  ],
  [
    '2026-11-05T08:00:00-08:00',
    '2026-11-05',
    'B-1',
    '',
    'reminder-sent',
    'stalled',
    'req@dhcs.ca.gov',
    'Stalled in Drafting',
    'stalled:B-1:req@dhcs.ca.gov:2026-11-05',
  ],
  [
    '2026-11-05T08:00:00-08:00',
    '2026-11-05',
    '',
    '',
    'notification-failed',
    'reminder',
    'bad@dhcs.ca.gov',
    'permanent: 550 5.1.1 no such user',
    'digest:bad@dhcs.ca.gov:2026-11-05',
  ],
  [
    '2026-11-05T08:00:00-08:00',
    '2026-11-05',
    '',
    '',
    'notification-failed',
    'reminder',
    'slow@dhcs.ca.gov',
    'temporary: 451 try later',
    'digest:slow@dhcs.ca.gov:2026-11-05',
  ],
].map((cells, i) => ({
  rowNumber: i + 2,
  cells: Object.fromEntries(ACTIVITY_HEADERS.filter((h) => h !== 'Data').map((h, c) => [h, cells[c] || null])),
}));

describe('reading lines written before the Data column', () => {
  test('the due date of a next-action reminder and the permanence of a failure are read from the old Detail', () => {
    const { history } = fold(LEGACY_LINES);
    const reminders = history.proposals.get('B-1')?.reminders;
    expect(reminders?.nextActionLastSent.get('2026-11-03|owner@dhcs.ca.gov')).toBe('2026-11-05');
    expect(reminders?.stalledLastSent.get('req@dhcs.ca.gov')).toBe('2026-11-05');
    expect(history.notifications.failures.get('digest:bad@dhcs.ca.gov:2026-11-05')).toMatchObject({
      permanent: true,
      count: 1,
    });
    expect(history.notifications.failures.get('digest:slow@dhcs.ca.gov:2026-11-05')?.permanent).toBe(false);
  });

  test('an old log and the same events written today fold to the same memory', () => {
    const today = readActivityLog(LEGACY_LINES).map((event) => ({
      ...event,
      detail:
        event.kind === 'notification-failed' ? event.detail.replace(/^(permanent|temporary): /, '') : event.detail,
    }));
    const rewritten = lines(today);
    expect(rewritten.every((row) => row.cells.Data !== undefined)).toBe(true);
    const { history } = fold(rewritten);
    const old = fold(LEGACY_LINES).history;
    expect(history.proposals).toEqual(old.proposals);
    expect(history.notifications.failures).toEqual(old.notifications.failures);
  });

  test("a Data cell that is not the service's JSON makes the line damaged, not a guess", () => {
    const [line] = lines([failed(cycle('2026-11-10'), 'k')]);
    const typed: SheetRow = { rowNumber: 9, cells: { ...line!.cells, Data: 'permanent, I think' } };
    expect(readActivityLog([typed])).toEqual([]);
  });
});

describe('foldEvents', () => {
  test('returns a new memory and leaves the one it was given as it was', () => {
    const before = fold(lines([firstSeen(cycle('2026-11-02'), '2026-11-02')])).history;
    const snapshot = structuredClone(before);
    const after = foldEvents(before, [
      stageChange(cycle('2026-11-10'), '2026-11-10', 'Drafting', 'Internal Review'),
      failed(cycle('2026-11-10'), 'k'),
    ]);
    expect(before).toEqual(snapshot);
    expect(after.proposals.get('B-1')?.stage?.value).toBe('Internal Review');
    expect(after.proposals.get('B-1')?.pastVisits).toEqual([
      { stage: 'Drafting', since: '2026-11-02', until: '2026-11-10' },
    ]);
    expect(after.notifications.failures.get('k')?.count).toBe(1);
  });
});
