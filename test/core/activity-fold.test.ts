import { describe, expect, test } from 'vitest';
import { ACTIVITY_HEADERS, type ActivityEvent, activityRow } from '../../src/core/activity.ts';
import type { SheetRow } from '../../src/core/cells.ts';
import { historyFromLog } from '../../src/core/history.ts';

/** Activity Log lines as a store reads them: one row of cells by header each. */
function lines(events: readonly ActivityEvent[], firstRow = 2): SheetRow[] {
  return events.map((event, i) => ({
    rowNumber: firstRow + i,
    cells: Object.fromEntries(ACTIVITY_HEADERS.map((h, c) => [h, activityRow(event)[c] || null])),
  }));
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
});

describe('folding the Activity Log', () => {
  test('a block of lines appended twice by a retried append is folded once', () => {
    const block = [
      stageChange(cycle('2026-11-10'), '2026-11-10', 'Drafting', 'Internal Review'),
      failed(cycle('2026-11-10'), 'digest:a@dhcs.ca.gov:2026-11-10'),
    ];
    const once = historyFromLog(lines([firstSeen(cycle('2026-11-02'), '2026-11-02'), ...block]));
    const twice = historyFromLog(lines([firstSeen(cycle('2026-11-02'), '2026-11-02'), ...block, ...block]));
    expect(twice.notifications.failures.get('digest:a@dhcs.ca.gov:2026-11-10')?.count).toBe(1);
    // The stage change counted twice would make the visit its own predecessor.
    expect(twice.proposals.get('B-1')).toEqual(once.proposals.get('B-1'));
    expect(twice.proposals.get('B-1')?.stage).toMatchObject({
      value: 'Internal Review',
      since: '2026-11-10',
      previousSince: '2026-11-02',
    });
  });

  test('the same key at another time is another event: a send that failed in two cycles failed twice', () => {
    const key = 'digest:a@dhcs.ca.gov:2026-11-10';
    const memory = historyFromLog(lines([failed(cycle('2026-11-10'), key), failed(cycle('2026-11-11'), key)]));
    expect(memory.notifications.failures.get(key)?.count).toBe(2);
  });

  test('repeats are still recognised after lines of other times came between (a second writer)', () => {
    const key = 'digest:a@dhcs.ca.gov:2026-11-10';
    const mine = failed(cycle('2026-11-10'), key);
    const others = Array.from({ length: 6 }, (_, i) =>
      failed(`2026-11-10T09:0${i + 1}:00-08:00`, `digest:b${i}@dhcs.ca.gov:2026-11-10`),
    );
    const memory = historyFromLog(lines([mine, ...others, mine]));
    expect(memory.notifications.failures.get(key)?.count).toBe(1);
  });

  test('a line a person typed or damaged is skipped, and the lines around it still count', () => {
    const rows = lines([firstSeen(cycle('2026-11-02'), '2026-11-02')]);
    const damaged: SheetRow = { rowNumber: 3, cells: { ...rows[0]!.cells, Kind: 'first seen?', On: 'soon' } };
    const typed: SheetRow = { rowNumber: 4, cells: { At: null, Kind: 'note', Detail: 'called them' } };
    const after = lines([failed(cycle('2026-11-03'), 'k')], 5);
    const memory = historyFromLog([...rows, damaged, typed, ...after]);
    expect(memory.proposals.get('B-1')?.stage?.value).toBe('Drafting');
    expect(memory.notifications.failures.get('k')?.count).toBe(1);
  });
});
