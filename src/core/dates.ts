import { DateTime } from 'luxon';

/** A calendar date with no time or zone, as `YYYY-MM-DD`. Sorts and compares as a string. */
export type IsoDate = string & { readonly __isoDate?: never };

/** Days since 1970-01-01 for a date. Calendar arithmetic is done on these integers. */
export type DayNumber = number;

const MS_PER_DAY = 86_400_000;

/**
 * Day numbers and dates convert by integer arithmetic (the proleptic Gregorian calendar, as in
 * H. Hinnant's `days_from_civil` and `civil_from_days`): a cycle converts dates hundreds of thousands
 * of times, and this allocates nothing but the text it returns.
 */
export function toDayNumber(date: IsoDate): DayNumber {
  const y = digits(date, 0, 4);
  const m = digits(date, 5, 7);
  const d = digits(date, 8, 10);
  return daysFromCivil(y, m, d);
}

export function fromDayNumber(day: DayNumber): IsoDate {
  const { year, month, dayOfMonth } = civilFromDays(day);
  const yyyy = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  return `${yyyy}-${month < 10 ? '0' : ''}${month}-${dayOfMonth < 10 ? '0' : ''}${dayOfMonth}`;
}

/** The calendar year of a day number. */
export function yearOfDay(day: DayNumber): number {
  return civilFromDays(day).year;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

function daysFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(day: DayNumber): { year: number; month: number; dayOfMonth: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth };
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return weekdayOfDay(toDayNumber(date));
}

/** The weekday of a day number, 0 = Sunday … 6 = Saturday (day 0, 1970-01-01, was a Thursday). */
export function weekdayOfDay(day: DayNumber): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The date of a year, month and day; days and months past their end roll over (day 0 is the month's eve). */
export function isoDate(year: number, month: number, day: number): IsoDate {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return fromDayNumber(date.getTime() / MS_PER_DAY);
}

/** The local calendar date of an instant in a time zone. */
export function localDate(now: Date, timezone: string): IsoDate {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!local.isValid) throw new Error(`Unknown time zone "${timezone}"`);
  return local.toISODate() as IsoDate;
}

/** An instant as an ISO timestamp with the zone's offset, as shown in the sheet and the logs. */
export function localTimestamp(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now, { zone: timezone }).toISO({ suppressMilliseconds: true }) ?? now.toISOString();
}

export function isValidTimezone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

// Spreadsheet serial day 25569 is 1970-01-01 (the 1900 system, with Lotus's phantom 1900-02-29).
const SERIAL_EPOCH_OFFSET = 25_569;

export function serialToIsoDate(serial: number): IsoDate {
  return fromDayNumber(Math.floor(serial) - SERIAL_EPOCH_OFFSET);
}

export function isoDateToSerial(date: IsoDate): number {
  return toDayNumber(date) + SERIAL_EPOCH_OFFSET;
}

export type DateParse = { ok: true; date: IsoDate } | { ok: false; reason: string };

export const EARLIEST_PLAUSIBLE_YEAR = 1990;
export const LATEST_PLAUSIBLE_YEAR = 2100;

/**
 * Reads a date cell: a real spreadsheet date (a JS Date from a workbook, or a serial number from an
 * API), an ISO `YYYY-MM-DD` text, or a US `M/D/YYYY` text. Anything else is a reason, not a guess.
 */
export function parseDateCell(value: unknown): DateParse | null {
  if (value === null || value === undefined || value === '') return null;
  let date: IsoDate | undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, reason: 'is not a valid date' };
    // Workbook dates carry no zone: their UTC fields are the calendar date that was typed.
    date = value.toISOString().slice(0, 10);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1) return { ok: false, reason: `${value} is not a date` };
    date = serialToIsoDate(value);
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    const parsed = parseDateText(text);
    if (!parsed) {
      return { ok: false, reason: `"${text}" is not a date: use YYYY-MM-DD or M/D/YYYY` };
    }
    date = parsed;
  } else {
    return { ok: false, reason: `${JSON.stringify(value)} is not a date` };
  }
  const year = Number(date.slice(0, 4));
  if (year < EARLIEST_PLAUSIBLE_YEAR || year > LATEST_PLAUSIBLE_YEAR) {
    return {
      ok: false,
      reason: `${date} is outside the plausible years ${EARLIEST_PLAUSIBLE_YEAR}–${LATEST_PLAUSIBLE_YEAR}`,
    };
  }
  return { ok: true, date };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T/;

/** A date text's calendar date: `YYYY-MM-DD`, `M/D/YYYY`, or an ISO timestamp's date part. */
function parseDateText(text: string): IsoDate | undefined {
  const iso = ISO_DATE.exec(text);
  // An ISO date that names a real day is its own canonical text.
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) && text;
  const us = US_DATE.exec(text);
  if (us) return calendarDate(Number(us[3]), Number(us[1]), Number(us[2]));
  // An ISO timestamp (as Airtable or an export may give) counts by its calendar date.
  if (ISO_TIMESTAMP.test(text)) {
    const parsed = DateTime.fromISO(text, { setZone: true });
    if (parsed.isValid) return parsed.toISODate() as IsoDate;
  }
  return undefined;
}

/** The date of a year, month and day, or undefined when there is no such day (2026-02-30). */
function calendarDate(year: number, month: number, day: number): IsoDate | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return isoDate(year, month, day);
}

/** The same day `months` later, or the month's last day where it is shorter (Nov 30 + 3 months = Feb 28). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const total = digits(date, 0, 4) * 12 + (digits(date, 5, 7) - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return isoDate(year, month, Math.min(digits(date, 8, 10), daysInMonth(year, month)));
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The quarter label of a date, such as `2026 Q3`. */
export function quarterOf(date: IsoDate): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)} Q${Math.ceil(month / 3)}`;
}
