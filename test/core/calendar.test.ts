import { describe, expect, test } from 'vitest';
import { BusinessCalendar, californiaHolidays } from '../../src/core/calendar.ts';
import { addDays } from '../../src/core/dates.ts';

const calendar = new BusinessCalendar();

describe('California state holidays by rule', () => {
  test.each([
    // year, holiday, observed date
    [2026, "New Year's Day", '2026-01-01'],
    [2026, 'Martin Luther King Jr. Day', '2026-01-19'],
    [2026, "Lincoln's Birthday", '2026-02-12'],
    [2026, "Presidents' Day", '2026-02-16'],
    [2026, 'Cesar Chavez Day', '2026-03-31'],
    [2026, 'Memorial Day', '2026-05-25'],
    [2026, 'Independence Day', '2026-07-04'], // a Saturday: not moved
    [2026, 'Labor Day', '2026-09-07'],
    [2026, 'Native American Day', '2026-09-25'],
    [2026, 'Veterans Day', '2026-11-11'],
    [2026, 'Thanksgiving Day', '2026-11-26'],
    [2026, 'Day after Thanksgiving', '2026-11-27'],
    [2026, 'Christmas Day', '2026-12-25'],
    [2027, 'Thanksgiving Day', '2027-11-25'],
    [2027, 'Day after Thanksgiving', '2027-11-26'],
    [2028, 'Christmas Day', '2028-12-25'],
    // Sunday observance: the next Monday
    [2023, "New Year's Day", '2023-01-02'],
    [2022, 'Christmas Day', '2022-12-26'],
    [2027, 'Cesar Chavez Day', '2027-03-31'],
    [2029, 'Veterans Day', '2029-11-12'],
    [2027, "Lincoln's Birthday", '2027-02-12'],
    [2032, 'Independence Day', '2032-07-05'],
    // Saturday: stays on Saturday
    [2027, 'Christmas Day', '2027-12-25'],
    [2027, 'Independence Day', '2027-07-05'],
  ])('%i %s is observed on %s', (year, name, date) => {
    expect(californiaHolidays(year).find((h) => h.name === name)?.date).toBe(date);
  });
});

describe('business days', () => {
  test.each([
    ['Monday', '2026-11-23', true],
    ['Saturday', '2026-11-21', false],
    ['Sunday', '2026-11-22', false],
    ['Thanksgiving', '2026-11-26', false],
    ['the day after Thanksgiving', '2026-11-27', false],
    ['Veterans Day', '2026-11-11', false],
    ['Native American Day', '2026-09-25', false],
    ['observed Christmas (Monday after a Sunday)', '2022-12-26', false],
    ['the Friday before a Saturday holiday', '2027-12-24', true],
  ])('%s (%s) is a business day: %s', (_label, date, expected) => {
    expect(calendar.isBusinessDay(date)).toBe(expected);
  });

  test.each([
    // Stage Since, today, business days d with since < d <= today
    ['Monday to Wednesday', '2026-11-16', '2026-11-18', 2],
    ['same day', '2026-11-18', '2026-11-18', 0],
    ['today before since', '2026-11-18', '2026-11-16', 0],
    ['Friday to Monday over a weekend', '2026-11-20', '2026-11-23', 1],
    ['a Saturday start', '2026-11-21', '2026-11-23', 1],
    ['over Thanksgiving and the day after', '2026-11-25', '2026-11-30', 1],
    ['the whole Thanksgiving week', '2026-11-20', '2026-11-27', 3],
    ['over Veterans Day', '2026-11-10', '2026-11-12', 1],
    ['across the year end with Christmas and New Year', '2026-12-23', '2027-01-05', 7],
    ['across the year end 2022 with Sunday observance', '2022-12-23', '2023-01-03', 5],
    ['a full year 2026', '2025-12-31', '2026-12-31', 261 - 12],
    ['a long span of several years', '2020-01-01', '2026-01-01', 1566 - 6 * 12 - 1],
  ])('%s: %s → %s is %i', (_label, since, today, expected) => {
    expect(calendar.businessDaysBetween(since, today)).toBe(expected);
  });

  test('counting agrees with walking day by day over three years', () => {
    const start = '2025-06-01';
    let walked = 0;
    for (let i = 1; i <= 3 * 366; i += 1) {
      const day = addDays(start, i);
      if (calendar.isBusinessDay(day)) walked += 1;
      expect(calendar.businessDaysBetween(start, day)).toBe(walked);
    }
  });

  test('addBusinessDays is the inverse of the count', () => {
    for (const [since, n] of [
      ['2026-11-20', 1],
      ['2026-11-24', 3],
      ['2026-12-20', 10],
    ] as const) {
      expect(calendar.businessDaysBetween(since, calendar.addBusinessDays(since, n))).toBe(n);
    }
    expect(calendar.addBusinessDays('2026-11-25', 1)).toBe('2026-11-30');
  });

  test('config can add a closure and remove an observed holiday', () => {
    const adjusted = new BusinessCalendar({ add: ['2026-12-24'], remove: ['2026-02-12'] });
    expect(adjusted.isBusinessDay('2026-12-24')).toBe(false);
    expect(adjusted.isBusinessDay('2026-02-12')).toBe(true);
    expect(adjusted.businessDaysBetween('2026-12-23', '2026-12-28')).toBe(1);
    expect(calendar.businessDaysBetween('2026-12-23', '2026-12-28')).toBe(2);
  });
});
