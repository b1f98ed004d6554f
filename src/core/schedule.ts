import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.ts';

export const JOB_NAMES = ['sync', 'reminders', 'dispute-escalation', 'metrics', 'manager-digest'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobSchedule {
  readonly job: JobName;
  /** Five-field cron, read as wall-clock time in the configured zone. */
  readonly cron: string;
  /** Skip slots on weekends and state holidays. */
  readonly businessDaysOnly: boolean;
}

export const DEFAULT_SCHEDULES: readonly JobSchedule[] = [
  { job: 'sync', cron: '*/15 7-18 * * 1-5', businessDaysOnly: false },
  { job: 'reminders', cron: '0 8 * * 1-5', businessDaysOnly: true },
  { job: 'dispute-escalation', cron: '30 8 * * 1-5', businessDaysOnly: true },
  { job: 'metrics', cron: '0 * * * *', businessDaysOnly: false },
  { job: 'manager-digest', cron: '30 7 * * 1', businessDaysOnly: false },
];

interface Fields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
}

function fieldsOf(cron: string): Fields {
  const { fields } = CronExpressionParser.parse(cron);
  const dow = new Set(fields.dayOfWeek.values.map((d) => Number(d) % 7));
  return {
    minutes: fields.minute.values.map(Number),
    hours: fields.hour.values.map(Number),
    daysOfMonth: new Set(fields.dayOfMonth.values.map(Number)),
    months: new Set(fields.month.values.map(Number)),
    daysOfWeek: dow,
    domRestricted: fields.dayOfMonth.values.length < 31,
    dowRestricted: dow.size < 7,
  };
}

function dateMatches(f: Fields, day: DateTime): boolean {
  if (!f.months.has(day.month)) return false;
  const dom = f.daysOfMonth.has(day.day);
  const dow = f.daysOfWeek.has(day.weekday % 7);
  // Cron's rule: with both day fields restricted, either may match.
  if (f.domRestricted && f.dowRestricted) return dom || dow;
  return (!f.domRestricted || dom) && (!f.dowRestricted || dow);
}

/** How far back catch-up looks: a service down longer than this runs each job once, now. */
const LOOKBACK_DAYS = 8;

/**
 * The latest slot of a schedule at or before `now`. Slots are wall-clock times on local dates:
 * one that falls in the spring-forward gap moves to the first instant after it (it still runs that
 * day), and one in the repeated fall-back hour is its first occurrence only (it runs once).
 */
export function latestSlot(schedule: JobSchedule, now: Date, zone: string, calendar: BusinessCalendar): Date | null {
  const f = fieldsOf(schedule.cron);
  const local = DateTime.fromJSDate(now, { zone });
  for (let back = 0; back <= LOOKBACK_DAYS; back += 1) {
    const day = local.minus({ days: back }).startOf('day');
    if (!dateMatches(f, day)) continue;
    if (schedule.businessDaysOnly && !calendar.isBusinessDay(day.toISODate()!)) continue;
    let best: DateTime | null = null;
    for (const hour of f.hours) {
      for (const minute of f.minutes) {
        let slot = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone });
        // In the repeated fall-back hour the same wall time comes twice: the slot is the first.
        const hourEarlier = slot.minus({ hours: 1 });
        if (hourEarlier.hour === hour && hourEarlier.minute === minute && hourEarlier.day === day.day)
          slot = hourEarlier;
        if (slot.toMillis() <= now.getTime() && (!best || slot > best)) best = slot;
      }
    }
    if (best) return best.toJSDate();
  }
  return null;
}

export interface DueJob {
  readonly job: JobName;
  /** The slot this run stands for; recorded as the job's last run when it succeeds. */
  readonly slot: Date;
}

/**
 * The jobs to run now: each whose latest slot is later than the slot of its last successful run.
 * After downtime this is the catch-up: a missed slot runs once, however many were missed.
 */
export function dueJobs(
  schedules: readonly JobSchedule[],
  lastRunSlots: Readonly<Partial<Record<JobName, Date>>>,
  now: Date,
  zone: string,
  calendar: BusinessCalendar,
): DueJob[] {
  const due: DueJob[] = [];
  for (const schedule of schedules) {
    const slot = latestSlot(schedule, now, zone, calendar);
    const last = lastRunSlots[schedule.job];
    if (slot && (!last || slot.getTime() > last.getTime())) due.push({ job: schedule.job, slot });
  }
  return due;
}

export function isCron(expression: string): boolean {
  try {
    CronExpressionParser.parse(expression);
    return expression.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

/** The default schedules with the config's overrides. */
export function schedulesFrom(overrides: Readonly<Partial<Record<JobName, string>>>): JobSchedule[] {
  return DEFAULT_SCHEDULES.map((s) => (overrides[s.job] ? { ...s, cron: overrides[s.job]! } : s));
}
