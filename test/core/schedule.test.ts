import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { BusinessCalendar } from '../../src/core/calendar.ts';
import { DEFAULT_SCHEDULES, type JobName, type JobSchedule, dueJobs, latestSlot } from '../../src/core/schedule.ts';

const zone = 'America/Los_Angeles';
const calendar = new BusinessCalendar();
const at = (local: string) => DateTime.fromISO(local, { zone }).toJSDate();
const show = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ZZ") : null);
const schedule = (job: JobName) => DEFAULT_SCHEDULES.find((s) => s.job === job)!;

describe('the latest slot of the default schedules', () => {
  test.each([
    // job, now (local), latest slot (local, with offset)
    ['reminders', '2026-11-23T09:10', '2026-11-23T08:00 -08:00'], // down at 8:00, up at 9:10
    ['reminders', '2026-11-23T07:59', '2026-11-20T08:00 -08:00'], // before today's slot: Friday's
    ['reminders', '2026-11-30T09:00', '2026-11-30T08:00 -08:00'], // after a weekend and Thanksgiving
    ['reminders', '2026-11-28T12:00', '2026-11-25T08:00 -08:00'], // on the weekend after Thanksgiving
    ['dispute-escalation', '2026-11-23T08:29', '2026-11-20T08:30 -08:00'],
    ['sync', '2026-11-23T10:07', '2026-11-23T10:00 -08:00'],
    ['sync', '2026-11-23T20:00', '2026-11-23T18:45 -08:00'],
    ['sync', '2026-11-22T12:00', '2026-11-20T18:45 -08:00'], // Sunday: Friday's last
    ['metrics', '2026-11-22T12:34', '2026-11-22T12:00 -08:00'],
    ['manager-digest', '2026-11-25T10:00', '2026-11-23T07:30 -08:00'],
  ] as const)('%s at %s → %s', (job, now, expected) => {
    expect(show(latestSlot(schedule(job), at(now), zone, calendar))).toBe(expected);
  });
});

describe('catch-up', () => {
  const ran = (job: JobName, local: string) => ({ [job]: at(local) });
  test.each([
    [
      'down at 8:00, up at 9:10: that day’s reminders once',
      ran('reminders', '2026-11-20T08:00'),
      '2026-11-23T09:10',
      ['reminders'],
    ],
    ['up again at 9:40 after the catch-up ran: nothing', ran('reminders', '2026-11-23T08:00'), '2026-11-23T09:40', []],
    [
      'down over a weekend, up Monday 7:00: nothing new before 8:00',
      ran('reminders', '2026-11-20T08:00'),
      '2026-11-23T07:00',
      [],
    ],
    [
      'down over the weekend and Monday morning: Monday’s, once',
      ran('reminders', '2026-11-20T08:00'),
      '2026-11-23T11:00',
      ['reminders'],
    ],
    [
      'down through Thanksgiving: the first business day after',
      ran('reminders', '2026-11-25T08:00'),
      '2026-11-27T09:00',
      [],
    ],
    ['… and on Monday the 30th', ran('reminders', '2026-11-25T08:00'), '2026-11-30T08:05', ['reminders']],
  ] as const)('%s', (_label, lastRuns, now, expected) => {
    const reminders = DEFAULT_SCHEDULES.filter((s) => s.job === 'reminders');
    expect(dueJobs(reminders, lastRuns, at(now), zone, calendar).map((d) => d.job)).toEqual(expected);
  });
});

describe('daylight saving time, 2027 in Los Angeles', () => {
  const nightly: JobSchedule = { job: 'metrics', cron: '30 2 * * *', businessDaysOnly: false };
  const early: JobSchedule = { job: 'metrics', cron: '30 1 * * *', businessDaysOnly: false };

  test('a time in the spring-forward gap (Sunday 14 March, 2:00 → 3:00) still runs that day', () => {
    const slot = latestSlot(nightly, at('2027-03-14T09:00'), zone, calendar);
    expect(show(slot)).toBe('2027-03-14T03:30 -07:00');
    const lastRun = { metrics: at('2027-03-13T02:30') };
    expect(dueJobs([nightly], lastRun, at('2027-03-14T03:31'), zone, calendar)).toHaveLength(1);
    expect(dueJobs([nightly], lastRun, at('2027-03-14T03:29'), zone, calendar)).toHaveLength(0);
  });

  test('the repeated fall-back hour (Sunday 7 November, 2:00 → 1:00) runs once', () => {
    const first = DateTime.fromISO('2027-11-07T01:30-07:00').toJSDate(); // 1:30 PDT
    const second = DateTime.fromISO('2027-11-07T01:30-08:00').toJSDate(); // 1:30 PST, an hour later
    expect(show(latestSlot(early, first, zone, calendar))).toBe('2027-11-07T01:30 -07:00');
    const lastRun = { metrics: first };
    expect(dueJobs([early], lastRun, second, zone, calendar)).toEqual([]);
    expect(dueJobs([early], lastRun, at('2027-11-08T01:31'), zone, calendar)).toHaveLength(1);
  });

  test('across both transitions, a daily job runs exactly once a day', () => {
    const runs: string[] = [];
    let lastRun: Date | undefined;
    for (const [from, to] of [
      ['2027-03-12T00:00', '2027-03-17T00:00'],
      ['2027-11-05T00:00', '2027-11-10T00:00'],
    ] as const) {
      // The service was up the night before: that night's slot ran.
      lastRun = latestSlot(nightly, at(from), zone, calendar)!;
      // Check every 10 minutes of real time, as a scheduler tick would.
      for (let t = at(from).getTime(); t < at(to).getTime(); t += 600_000) {
        for (const due of dueJobs(
          [nightly, { ...early, job: 'sync' }],
          { metrics: lastRun },
          new Date(t),
          zone,
          calendar,
        )) {
          if (due.job !== 'metrics') continue;
          runs.push(show(due.slot)!);
          lastRun = due.slot;
        }
      }
    }
    expect(runs).toEqual([
      '2027-03-12T02:30 -08:00',
      '2027-03-13T02:30 -08:00',
      '2027-03-14T03:30 -07:00',
      '2027-03-15T02:30 -07:00',
      '2027-03-16T02:30 -07:00',
      '2027-11-05T02:30 -07:00',
      '2027-11-06T02:30 -07:00',
      '2027-11-07T02:30 -08:00',
      '2027-11-08T02:30 -08:00',
      '2027-11-09T02:30 -08:00',
    ]);
  });
});
