import { describe, expect, test } from 'vitest';
import { BusinessCalendar } from '../../src/core/calendar.ts';
import { dayStatusBegins, statusFor } from '../../src/core/status.ts';

describe('status from business days in stage (b) and SLA (s)', () => {
  test.each([
    // b, s, status: On Track while s − b > 2; Due Soon for 0 ≤ s − b ≤ 2; Stalled for b > s; Escalated for b > 2s
    [0, 10, 'On Track'],
    [7, 10, 'On Track'],
    [8, 10, 'Due Soon'],
    [9, 10, 'Due Soon'],
    [10, 10, 'Due Soon'],
    [11, 10, 'Stalled'],
    [20, 10, 'Stalled'],
    [21, 10, 'Escalated'],
    [100, 10, 'Escalated'],
    [2, 5, 'On Track'],
    [3, 5, 'Due Soon'],
    [5, 5, 'Due Soon'],
    [6, 5, 'Stalled'],
    [10, 5, 'Stalled'],
    [11, 5, 'Escalated'],
    [17, 20, 'On Track'],
    [18, 20, 'Due Soon'],
    [40, 20, 'Stalled'],
    [41, 20, 'Escalated'],
    [0, 2, 'Due Soon'],
    [0, null, 'Closed'],
    [500, null, 'Closed'],
  ] as const)('b=%i s=%s → %s', (b, s, expected) => {
    expect(statusFor(b, s)).toBe(expected);
  });

  test('the due-soon window is configurable', () => {
    expect(statusFor(5, 10, 5)).toBe('Due Soon');
    expect(statusFor(4, 10, 5)).toBe('On Track');
  });
});

describe('the first day a status begins', () => {
  const calendar = new BusinessCalendar();
  test.each([
    // since (a Monday), SLA, status, first day
    ['2026-11-02', 10, 'Due Soon', '2026-11-13'], // 8th business day; Veterans Day (11/11) skipped
    ['2026-11-02', 10, 'Stalled', '2026-11-18'], // 11th business day
    ['2026-11-02', 10, 'Escalated', '2026-12-04'], // 21st, over Thanksgiving
    ['2026-11-23', 5, 'Stalled', '2026-12-03'],
  ] as const)('since %s with SLA %i: %s from %s', (since, sla, status, expected) => {
    const day = dayStatusBegins(calendar, since, sla, status);
    expect(day).toBe(expected);
    expect(statusFor(calendar.businessDaysBetween(since, day), sla)).toBe(status);
  });
});
