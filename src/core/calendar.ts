import {
  type DayNumber,
  type IsoDate,
  addDays,
  fromDayNumber,
  isoDate,
  toDayNumber,
  weekday,
  weekdayOfDay,
  yearOfDay,
} from './dates.ts';

export interface HolidayAdjustments {
  /** Extra closure days, such as a governor's proclamation. */
  readonly add?: readonly IsoDate[];
  /** Rule-made holidays that state offices keep open. */
  readonly remove?: readonly IsoDate[];
}

export interface Holiday {
  readonly date: IsoDate;
  readonly name: string;
}

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

function nthWeekdayOfMonth(year: number, month: number, dayOfWeek: number, n: number): IsoDate {
  const first = isoDate(year, month, 1);
  const offset = (dayOfWeek - weekday(first) + 7) % 7;
  return isoDate(year, month, 1 + offset + (n - 1) * 7);
}

function lastWeekdayOfMonth(year: number, month: number, dayOfWeek: number): IsoDate {
  const last = isoDate(year, month + 1, 0);
  const offset = (weekday(last) - dayOfWeek + 7) % 7;
  return isoDate(year, month, Number(last.slice(8, 10)) - offset);
}

/** A holiday on a Sunday is observed the next Monday; one on a Saturday is not moved (holiday credit instead). */
function observed(date: IsoDate): IsoDate {
  return weekday(date) === SUNDAY ? addDays(date, 1) : date;
}

/** Veterans Day alone moves back from a Saturday to the Friday before; on a Sunday it moves to Monday. */
function observedVeteransDay(date: IsoDate): IsoDate {
  return weekday(date) === SATURDAY ? addDays(date, -1) : observed(date);
}

/**
 * The holidays of California state employees for a year, as observed, computed by rule: Government
 * Code section 19853, the list CalHR publishes each year. Section 6700's Lincoln Day and Native
 * American Day are not office closures; a department that closes on them adds them in config.
 */
export function californiaHolidays(year: number): Holiday[] {
  const thanksgiving = nthWeekdayOfMonth(year, 11, THURSDAY, 4);
  return [
    { name: "New Year's Day", date: observed(isoDate(year, 1, 1)) },
    { name: 'Martin Luther King Jr. Day', date: nthWeekdayOfMonth(year, 1, MONDAY, 3) },
    { name: "Presidents' Day", date: nthWeekdayOfMonth(year, 2, MONDAY, 3) },
    { name: 'Cesar Chavez Day', date: observed(isoDate(year, 3, 31)) },
    { name: 'Memorial Day', date: lastWeekdayOfMonth(year, 5, MONDAY) },
    { name: 'Independence Day', date: observed(isoDate(year, 7, 4)) },
    { name: 'Labor Day', date: nthWeekdayOfMonth(year, 9, MONDAY, 1) },
    { name: 'Veterans Day', date: observedVeteransDay(isoDate(year, 11, 11)) },
    { name: 'Thanksgiving Day', date: thanksgiving },
    { name: 'Day after Thanksgiving', date: addDays(thanksgiving, 1) },
    { name: 'Christmas Day', date: observed(isoDate(year, 12, 25)) },
  ];
}

/** Where a closure day comes from: the statute's rule, or the config's `holidays.add` / `holidays.remove`. */
export type ClosureSource = 'rule' | 'added' | 'removed';

export interface ClosureDay extends Holiday {
  readonly weekday: string;
  readonly source: ClosureSource;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const ADDED_CLOSURE_NAME = 'Closure added in config';
export const REMOVED_NON_HOLIDAY_NAME = 'Not a holiday by rule: removing it changes nothing';

/**
 * A year's holidays as the service counts them, each with its source. A removed day stays in the list
 * (source `removed`) so an agency sees what it took out; an added day wins over a removal of the same day.
 */
export function closureDays(year: number, adjustments: HolidayAdjustments = {}): ClosureDay[] {
  const inYear = (dates: readonly IsoDate[] = []) => new Set(dates.filter((d) => Number(d.slice(0, 4)) === year));
  const added = inYear(adjustments.add);
  const removed = inYear(adjustments.remove);
  const ruled = californiaHolidays(year);
  const ruledDates = new Set(ruled.map((h) => h.date));
  const days: Omit<ClosureDay, 'weekday'>[] = [
    ...ruled.map((h) => ({
      ...h,
      source: removed.has(h.date) && !added.has(h.date) ? ('removed' as const) : ('rule' as const),
    })),
    ...[...added]
      .filter((date) => !ruledDates.has(date))
      .map((date) => ({ date, name: ADDED_CLOSURE_NAME, source: 'added' as const })),
    ...[...removed]
      .filter((date) => !ruledDates.has(date) && !added.has(date))
      .map((date) => ({ date, name: REMOVED_NON_HOLIDAY_NAME, source: 'removed' as const })),
  ];
  return days
    .map((d) => ({ date: d.date, weekday: WEEKDAY_NAMES[weekday(d.date)] ?? '', name: d.name, source: d.source }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

// Day 0 (1970-01-01) was a Thursday. Shifting by a multiple of 7 keeps weekdays aligned for
// dates before 1970 without negative remainders.
const SHIFT = 7 * 100_000;
const WEEKDAYS_IN_REMAINDER = [0, 1, 2, 2, 2, 3, 4]; // Thu, Fri, Sat, Sun, Mon, Tue, Wed

/** Weekdays among the days numbered below `day`, counted from a fixed origin. */
function weekdaysBefore(day: DayNumber): number {
  const shifted = day + SHIFT;
  return Math.floor(shifted / 7) * 5 + (WEEKDAYS_IN_REMAINDER[shifted % 7] ?? 0);
}

/** The `n`-th weekday after `day` (n ≥ 1). */
function nthWeekdayAfter(day: DayNumber, n: number): DayNumber {
  const weeks = Math.floor((n - 1) / 5);
  let next = day + weeks * 7;
  let remaining = n - weeks * 5;
  while (remaining > 0) {
    next += 1;
    const dow = weekdayOfDay(next);
    if (dow !== SUNDAY && dow !== SATURDAY) remaining -= 1;
  }
  return next;
}

/**
 * Business days: weekdays less California state holidays, adjusted by config.
 * Counting is arithmetic on day numbers, so it costs the same for a week or a decade.
 */
export class BusinessCalendar {
  private readonly adjustments: HolidayAdjustments;
  private readonly closedWeekdaysByYear = new Map<number, DayNumber[]>();

  constructor(adjustments: HolidayAdjustments = {}) {
    this.adjustments = adjustments;
  }

  /** The year's holidays as counted: rule-made and added, less removed. */
  holidays(year: number): Holiday[] {
    return closureDays(year, this.adjustments)
      .filter((d) => d.source !== 'removed')
      .map(({ date, name }) => ({ date, name }));
  }

  isBusinessDay(date: IsoDate): boolean {
    return this.isBusinessDayNumber(toDayNumber(date));
  }

  private isBusinessDayNumber(day: DayNumber): boolean {
    const dow = weekdayOfDay(day);
    if (dow === SUNDAY || dow === SATURDAY) return false;
    return !this.closedWeekdays(yearOfDay(day)).includes(day);
  }

  /** Business days d with `after` < d ≤ `through`; zero when `through` is not after `after`. */
  businessDaysBetween(after: IsoDate, through: IsoDate): number {
    const from = toDayNumber(after);
    const to = toDayNumber(through);
    if (to <= from) return 0;
    const weekdays = weekdaysBefore(to + 1) - weekdaysBefore(from + 1);
    return weekdays - this.closedWeekdaysIn(from, to);
  }

  /** The date `n` business days after `date` (n ≥ 1), so that businessDaysBetween(date, result) = n. */
  addBusinessDays(date: IsoDate, n: number): IsoDate {
    // n weekdays on, then as many weekdays again as there were closed weekdays on the way, until none.
    let from = toDayNumber(date);
    let day = nthWeekdayAfter(from, n);
    for (let closed = this.closedWeekdaysIn(from, day); closed > 0; closed = this.closedWeekdaysIn(from, day)) {
      from = day;
      day = nthWeekdayAfter(from, closed);
    }
    return fromDayNumber(day);
  }

  /** The first business day on or after `date`. */
  onOrNextBusinessDay(date: IsoDate): IsoDate {
    let day = toDayNumber(date);
    while (!this.isBusinessDayNumber(day)) day += 1;
    return fromDayNumber(day);
  }

  private closedWeekdays(year: number): DayNumber[] {
    let days = this.closedWeekdaysByYear.get(year);
    if (!days) {
      days = [
        ...new Set(
          this.holidays(year)
            .map((h) => h.date)
            .filter((d) => weekday(d) !== SUNDAY && weekday(d) !== SATURDAY)
            .map(toDayNumber),
        ),
      ].sort((a, b) => a - b);
      this.closedWeekdaysByYear.set(year, days);
    }
    return days;
  }

  /** Closed weekdays d with from < d ≤ to. */
  private closedWeekdaysIn(from: DayNumber, to: DayNumber): number {
    const firstYear = yearOfDay(from);
    const lastYear = yearOfDay(to);
    let count = 0;
    for (let year = firstYear; year <= lastYear; year += 1) {
      for (const day of this.closedWeekdays(year)) if (day > from && day <= to) count += 1;
    }
    return count;
  }
}
