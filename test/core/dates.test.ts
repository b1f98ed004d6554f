import { expect, test } from 'vitest';
import { DateTime } from 'luxon';
import { addMonths, fromDayNumber, isoDate, toDayNumber, yearOfDay } from '../../src/core/dates.ts';

test.each([
  ['1970-01-01', 0],
  ['1969-12-31', -1],
  ['2000-02-29', 11_016],
  ['2026-11-26', 20_783],
  ['2100-03-01', 47_541],
])('%s is day %i', (date, day) => {
  expect(toDayNumber(date)).toBe(day);
  expect(fromDayNumber(day)).toBe(date);
});

test('day numbers agree with the JavaScript clock from 1900 to 2200, both ways', () => {
  for (let day = -25_567; day <= 84_000; day += 1) {
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (fromDayNumber(day) !== date || toDayNumber(date) !== day || yearOfDay(day) !== Number(date.slice(0, 4))) {
      expect({ day, date, fromDayNumber: fromDayNumber(day), toDayNumber: toDayNumber(date) }).toBeUndefined();
    }
  }
});

test.each([
  [2026, 13, 0, '2026-12-31'],
  [2028, 3, 0, '2028-02-29'],
  [26, 1, 1, '0026-01-01'],
])('isoDate(%i, %i, %i) rolls over to %s', (y, m, d, date) => {
  expect(isoDate(y, m, d)).toBe(date);
});

test.each([
  ['2026-11-30', 3, '2027-02-28'],
  ['2027-11-30', 3, '2028-02-29'],
  ['2026-01-31', 1, '2026-02-28'],
  ['2026-10-15', 3, '2027-01-15'],
  ['2026-12-31', 12, '2027-12-31'],
])('%s plus %i months is %s, as luxon counts it', (date, months, expected) => {
  expect(addMonths(date, months)).toBe(expected);
  expect(DateTime.fromISO(date, { zone: 'UTC' }).plus({ months }).toISODate()).toBe(expected);
});
