import { describe, expect, test } from 'vitest';
import type { ActivityEvent } from '../../src/core/activity.ts';
import { STAGE_KINDS, type Visit, foldVisit, trackVisit } from '../../src/core/lifecycle.ts';

const today = '2026-11-23';

describe('Stage Since', () => {
  test.each<[string, Visit | undefined, string, string | null, string, string | null]>([
    // label, remembered visit, stage now, Stage Entered On now, expected since, expected transition
    ['first seen, no date: the day first seen', undefined, 'Drafting', null, today, 'first-seen'],
    ['first seen with a date: staff backdate', undefined, 'Drafting', '2026-10-01', '2026-10-01', 'first-seen'],
    [
      'same stage, nothing new',
      { value: 'Drafting', detectedOn: '2026-11-01', since: '2026-11-01', previousSince: null },
      'Drafting',
      null,
      '2026-11-01',
      null,
    ],
    [
      'same stage, staff backdate it',
      { value: 'Drafting', detectedOn: '2026-11-01', since: '2026-11-01', previousSince: null },
      'Drafting',
      '2026-10-20',
      '2026-10-20',
      'stage-since-change',
    ],
    [
      'stage changed and Stage Entered On updated with it',
      { value: 'Drafting', detectedOn: '2026-10-01', since: '2026-10-01', previousSince: null },
      'Internal Review',
      '2026-11-18',
      '2026-11-18',
      'stage-change',
    ],
    [
      'stage changed but Stage Entered On left over: the detection day wins',
      { value: 'Drafting', detectedOn: '2026-10-05', since: '2026-10-01', previousSince: null },
      'Internal Review',
      '2026-10-01',
      today,
      'stage-change',
    ],
    [
      'stage changed with a date before the previous stage began: left over too',
      { value: 'Drafting', detectedOn: '2026-10-05', since: '2026-10-01', previousSince: null },
      'Internal Review',
      '2026-09-15',
      today,
      'stage-change',
    ],
    [
      'after a change, the leftover date is still ignored on later cycles',
      { value: 'Internal Review', detectedOn: '2026-11-20', since: '2026-11-20', previousSince: '2026-10-01' },
      'Internal Review',
      '2026-10-01',
      '2026-11-20',
      null,
    ],
    [
      'after a change, a new date typed later is used',
      { value: 'Internal Review', detectedOn: '2026-11-20', since: '2026-11-20', previousSince: '2026-10-01' },
      'Internal Review',
      '2026-11-17',
      '2026-11-17',
      'stage-since-change',
    ],
    [
      'the date cleared: back to the detection day',
      { value: 'Internal Review', detectedOn: '2026-11-20', since: '2026-11-17', previousSince: '2026-10-01' },
      'Internal Review',
      null,
      '2026-11-20',
      'stage-since-change',
    ],
  ])('%s', (_label, remembered, stage, enteredOn, since, transition) => {
    const tracked = trackVisit(remembered, { value: stage, enteredOn }, today, STAGE_KINDS, 'Stage');
    expect(tracked.since).toBe(since);
    expect(tracked.transition?.kind ?? null).toBe(transition);
  });

  test('Level Since falls back to Raised On for a dispute first seen at its first level', () => {
    const tracked = trackVisit(
      undefined,
      { value: 'Data Coordinators', enteredOn: null, firstSeenFallback: '2026-11-02' },
      today,
      STAGE_KINDS,
      'Level',
    );
    expect(tracked.since).toBe('2026-11-02');
  });

  test('folding the logged transitions gives back the visit', () => {
    const at = (day: string) => `${day}T08:00:00-08:00`;
    const event = (kind: ActivityEvent['kind'], day: string, on: string, to: string): ActivityEvent => ({
      at: at(day),
      on,
      bucpId: 'B-1',
      disputeId: '',
      kind,
      from: '',
      to,
      detail: '',
      key: `${kind}-${day}`,
    });
    let visit: Visit | undefined;
    for (const e of [
      event('first-seen', '2026-10-01', '2026-09-20', 'Concept'),
      event('stage-change', '2026-10-20', '2026-10-20', 'Drafting'),
      event('stage-since-change', '2026-10-22', '2026-10-19', '2026-10-19'),
    ]) {
      visit = foldVisit(visit, e, STAGE_KINDS);
    }
    expect(visit).toEqual({
      value: 'Drafting',
      detectedOn: '2026-10-20',
      since: '2026-10-19',
      previousSince: '2026-09-20',
    });
  });
});
