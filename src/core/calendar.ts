import { type DayNumber, type IsoDate, fromDayNumber, isoDate, toDayNumber, weekday } from './dates.ts';

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

/** A holiday that falls on a Sunday is observed the next Monday; on a Saturday it is not moved. */
function observed(date: IsoDate): IsoDate {
  return weekday(date) === 0 ? fromDayNumber(toDayNumber(date) + 1) : date;
}

const MONDAY = 1;
const THURSDAY = 4;
const FRIDAY = 5;

/** California state holidays for a year, as observed, computed by rule. */
export function californiaHolidays(year: number): Holiday[] {
  const thanksgiving = nthWeekdayOfMonth(year, 11, THURSDAY, 4);
  return [
    { name: "New Year's Day", date: observed(isoDate(year, 1, 1)) },
    { name: 'Martin Luther King Jr. Day', date: nthWeekdayOfMonth(year, 1, MONDAY, 3) },
    { name: "Lincoln's Birthday", date: observed(isoDate(year, 2, 12)) },
    { name: "Presidents' Day", date: nthWeekdayOfMonth(year, 2, MONDAY, 3) },
    { name: 'Cesar Chavez Day', date: observed(isoDate(year, 3, 31)) },
    { name: 'Memorial Day', date: lastWeekdayOfMonth(year, 5, MONDAY) },
    { name: 'Independence Day', date: observed(isoDate(year, 7, 4)) },
    { name: 'Labor Day', date: nthWeekdayOfMonth(year, 9, MONDAY, 1) },
    { name: 'Native American Day', date: nthWeekdayOfMonth(year, 9, FRIDAY, 4) },
    { name: 'Veterans Day', date: observed(isoDate(year, 11, 11)) },
    { name: 'Thanksgiving Day', date: thanksgiving },
    { name: 'Day after Thanksgiving', date: fromDayNumber(toDayNumber(thanksgiving) + 1) },
    { name: 'Christmas Day', date: observed(isoDate(year, 12, 25)) },
  ];
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

const MS_PER_DAY = 86_400_000;
const yearOf = (day: DayNumber): number => new Date(day * MS_PER_DAY).getUTCFullYear();

/**
 * Business days: weekdays less California state holidays, adjusted by config.
 * Counting is arithmetic on day numbers, so it costs the same for a week or a decade.
 */
export class BusinessCalendar {
  private readonly added: ReadonlySet<DayNumber>;
  private readonly removed: ReadonlySet<DayNumber>;
  private readonly closedWeekdaysByYear = new Map<number, DayNumber[]>();

  constructor(adjustments: HolidayAdjustments = {}) {
    this.added = new Set((adjustments.add ?? []).map(toDayNumber));
    this.removed = new Set((adjustments.remove ?? []).map(toDayNumber));
  }

  holidays(year: number): Holiday[] {
    const ruled = californiaHolidays(year).filter((h) => !this.removed.has(toDayNumber(h.date)));
    const extra = [...this.added]
      .map(fromDayNumber)
      .filter((d) => Number(d.slice(0, 4)) === year)
      .map((date) => ({ date, name: 'Configured closure' }));
    return [...ruled, ...extra].sort((a, b) => a.date.localeCompare(b.date));
  }

  isBusinessDay(date: IsoDate): boolean {
    return this.isBusinessDayNumber(toDayNumber(date));
  }

  private isBusinessDayNumber(day: DayNumber): boolean {
    const dow = (((day + 4) % 7) + 7) % 7;
    if (dow === 0 || dow === 6) return false;
    return !this.closedWeekdays(yearOf(day)).includes(day);
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
    let day = toDayNumber(date);
    let remaining = n;
    while (remaining > 0) {
      day += 1;
      if (this.isBusinessDayNumber(day)) remaining -= 1;
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
            .filter((d) => weekday(d) !== 0 && weekday(d) !== 6)
            .map(toDayNumber),
        ),
      ].sort((a, b) => a - b);
      this.closedWeekdaysByYear.set(year, days);
    }
    return days;
  }

  /** Closed weekdays d with from < d ≤ to. */
  private closedWeekdaysIn(from: DayNumber, to: DayNumber): number {
    const firstYear = yearOf(from);
    const lastYear = yearOf(to);
    let count = 0;
    for (let year = firstYear; year <= lastYear; year += 1) {
      for (const day of this.closedWeekdays(year)) if (day > from && day <= to) count += 1;
    }
    return count;
  }
}
