import { describe, expect, test } from 'vitest';
import { BusinessCalendar, californiaHolidays, closureDays } from '../../src/core/calendar.ts';
import { addDays, weekday } from '../../src/core/dates.ts';

const calendar = new BusinessCalendar();

describe('California state holidays by rule (Gov. Code §19853)', () => {
  test.each([
    // year, holiday, observed date
    [2026, "New Year's Day", '2026-01-01'],
    [2026, 'Martin Luther King Jr. Day', '2026-01-19'],
    [2026, "Presidents' Day", '2026-02-16'],
    [2026, 'Cesar Chavez Day', '2026-03-31'],
    [2026, 'Memorial Day', '2026-05-25'],
    [2026, 'Independence Day', '2026-07-04'], // a Saturday: not moved
    [2026, 'Labor Day', '2026-09-07'],
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
    [2027, 'Independence Day', '2027-07-05'],
    [2032, 'Independence Day', '2032-07-05'],
    // Saturday: stays on Saturday
    [2027, 'Christmas Day', '2027-12-25'],
    [2028, "New Year's Day", '2028-01-01'],
    // Veterans Day on a Saturday: the Friday before
    [2017, 'Veterans Day', '2017-11-10'],
    [2023, 'Veterans Day', '2023-11-10'],
    [2028, 'Veterans Day', '2028-11-10'],
    [2034, 'Veterans Day', '2034-11-10'],
  ])('%i %s is observed on %s', (year, name, date) => {
    expect(californiaHolidays(year).find((h) => h.name === name)?.date).toBe(date);
  });

  test.each([2022, 2023, 2026, 2027, 2028, 2029])(
    '%i has the eleven holidays of state employees, without Lincoln Day or Native American Day',
    (year) => {
      const holidays = californiaHolidays(year);
      expect(holidays.map((h) => h.name)).toEqual([
        "New Year's Day",
        'Martin Luther King Jr. Day',
        "Presidents' Day",
        'Cesar Chavez Day',
        'Memorial Day',
        'Independence Day',
        'Labor Day',
        'Veterans Day',
        'Thanksgiving Day',
        'Day after Thanksgiving',
        'Christmas Day',
      ]);
    },
  );
});

describe('business days', () => {
  test.each([
    ['Monday', '2026-11-23', true],
    ['Saturday', '2026-11-21', false],
    ['Sunday', '2026-11-22', false],
    ['Thanksgiving', '2026-11-26', false],
    ['the day after Thanksgiving', '2026-11-27', false],
    ['Veterans Day', '2026-11-11', false],
    ['Lincoln Day (section 6700, not a state office closure)', '2026-02-12', true],
    ['Native American Day (section 6700, not a state office closure)', '2026-09-25', true],
    ['the Friday before a Saturday Veterans Day', '2028-11-10', false],
    ['the Friday before a Saturday Independence Day', '2026-07-03', true],
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
    // weekdays less the holidays on weekdays
    ['a full year 2023 (Sunday New Year, Saturday Veterans Day)', '2022-12-31', '2023-12-31', 260 - 11],
    ['a full year 2026 (Saturday Independence Day)', '2025-12-31', '2026-12-31', 261 - 10],
    ['a full year 2027 (Sunday Independence Day, Saturday Christmas)', '2026-12-31', '2027-12-31', 261 - 10],
    ['a full year 2028 (Saturday New Year, Saturday Veterans Day)', '2027-12-31', '2028-12-31', 260 - 10],
    // 2020–2025 have 10, 10, 10, 11, 11, 11 holidays on weekdays; the span starts after 2020-01-01
    // and ends on 2026-01-01
    ['a long span of several years', '2020-01-01', '2026-01-01', 1566 - (63 - 1) - 1],
  ])('%s: %s → %s is %i', (_label, since, today, expected) => {
    expect(calendar.businessDaysBetween(since, today)).toBe(expected);
  });

  // Each case of the rule, in several years, as counts: what SLAs, stalls and reminders rest on.
  test.each([
    // case, Stage Since, today, business days d with since < d <= today
    ['Sunday holiday 2023-01-01, observed Monday', '2022-12-30', '2023-01-03', 1],
    ['Sunday holiday 2027-07-04, observed Monday', '2027-07-02', '2027-07-06', 1],
    ['Sunday Veterans Day 2029-11-11, observed Monday', '2029-11-09', '2029-11-13', 1],
    ['Saturday holiday 2026-07-04 is not moved', '2026-07-02', '2026-07-06', 2],
    ['Saturday holiday 2027-12-25 is not moved', '2027-12-23', '2027-12-27', 2],
    ['Saturday holiday 2028-01-01 is not moved, across the year end', '2027-12-30', '2028-01-03', 2],
    ['Saturday Veterans Day 2023-11-11: Friday closed', '2023-11-09', '2023-11-13', 1],
    ['Saturday Veterans Day 2028-11-11: Friday closed', '2028-11-09', '2028-11-13', 1],
    ['Saturday Veterans Day 2034-11-11: Friday closed', '2034-11-09', '2034-11-13', 1],
    ['Lincoln Day 2026-02-12 (Thursday) is a business day', '2026-02-09', '2026-02-13', 4],
    ['Lincoln Day 2027-02-12 (Friday) is a business day', '2027-02-08', '2027-02-12', 4],
    ['Lincoln Day 2023-02-12 (Sunday): Monday is a business day', '2023-02-10', '2023-02-14', 2],
    ['Lincoln Day 2029-02-12 (Monday) is a business day', '2029-02-09', '2029-02-13', 2],
    ['Native American Day 2026-09-25 is a business day', '2026-09-21', '2026-09-28', 5],
    ['Native American Day 2027-09-24 is a business day', '2027-09-20', '2027-09-24', 4],
    ['Native American Day 2028-09-22 is a business day', '2028-09-18', '2028-09-25', 5],
  ])('%s: %s → %s is %i', (_label, since, today, expected) => {
    expect(calendar.businessDaysBetween(since, today)).toBe(expected);
  });

  test.each([
    // case, date, n, the date n business days later
    ['Sunday holiday 2027-07-04: past the observed Monday', '2027-07-02', 1, '2027-07-06'],
    ['Sunday holiday 2023-01-01: past the observed Monday', '2022-12-30', 1, '2023-01-03'],
    ['Saturday holiday 2026-07-04: the Friday before counts', '2026-07-02', 1, '2026-07-03'],
    ['Saturday holiday 2027-12-25: the Friday before counts', '2027-12-23', 1, '2027-12-24'],
    ['Saturday Veterans Day 2028-11-11: past the closed Friday', '2028-11-09', 1, '2028-11-13'],
    ['Saturday Veterans Day 2023-11-11: past the closed Friday', '2023-11-09', 2, '2023-11-14'],
    ['Lincoln Day 2026-02-12 counts', '2026-02-11', 1, '2026-02-12'],
    ['Lincoln Day 2027-02-12 counts', '2027-02-08', 4, '2027-02-12'],
    ['Native American Day 2026-09-25 counts', '2026-09-24', 1, '2026-09-25'],
    ['Native American Day 2028-09-22 counts', '2028-09-18', 4, '2028-09-22'],
  ])('%s: %s + %i business days is %s', (_label, date, n, expected) => {
    expect(calendar.addBusinessDays(date, n)).toBe(expected);
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
    const adjusted = new BusinessCalendar({ add: ['2026-12-24'], remove: ['2026-11-27'] });
    expect(adjusted.isBusinessDay('2026-12-24')).toBe(false);
    expect(adjusted.isBusinessDay('2026-11-27')).toBe(true);
    expect(adjusted.businessDaysBetween('2026-12-23', '2026-12-28')).toBe(1);
    expect(calendar.businessDaysBetween('2026-12-23', '2026-12-28')).toBe(2);
    expect(adjusted.businessDaysBetween('2026-11-25', '2026-11-30')).toBe(2);
    expect(calendar.businessDaysBetween('2026-11-25', '2026-11-30')).toBe(1);
  });

  test('a department that closes on Lincoln Day and Native American Day adds them', () => {
    const closing = new BusinessCalendar({ add: ['2026-02-12', '2026-09-25'] });
    expect(closing.businessDaysBetween('2026-02-09', '2026-02-13')).toBe(3);
    expect(closing.businessDaysBetween('2026-09-21', '2026-09-28')).toBe(4);
    expect(closing.addBusinessDays('2026-02-11', 1)).toBe('2026-02-13');
  });
});

describe('closure days with their sources', () => {
  const adjustments = {
    add: ['2026-02-12', '2026-12-24', '2027-01-04'],
    remove: ['2026-11-27', '2026-09-25', '2025-12-25'],
  };

  test('a year lists rule-made, added and removed days in date order; other years stay out', () => {
    expect(closureDays(2026, adjustments).map((d) => [d.date, d.weekday, d.name, d.source])).toEqual([
      ['2026-01-01', 'Thursday', "New Year's Day", 'rule'],
      ['2026-01-19', 'Monday', 'Martin Luther King Jr. Day', 'rule'],
      ['2026-02-12', 'Thursday', 'Closure added in config', 'added'],
      ['2026-02-16', 'Monday', "Presidents' Day", 'rule'],
      ['2026-03-31', 'Tuesday', 'Cesar Chavez Day', 'rule'],
      ['2026-05-25', 'Monday', 'Memorial Day', 'rule'],
      ['2026-07-04', 'Saturday', 'Independence Day', 'rule'],
      ['2026-09-07', 'Monday', 'Labor Day', 'rule'],
      ['2026-09-25', 'Friday', 'Not a holiday by rule: removing it changes nothing', 'removed'],
      ['2026-11-11', 'Wednesday', 'Veterans Day', 'rule'],
      ['2026-11-26', 'Thursday', 'Thanksgiving Day', 'rule'],
      ['2026-11-27', 'Friday', 'Day after Thanksgiving', 'removed'],
      ['2026-12-24', 'Thursday', 'Closure added in config', 'added'],
      ['2026-12-25', 'Friday', 'Christmas Day', 'rule'],
    ]);
  });

  test('a day both added and removed is closed: the addition wins', () => {
    const both = { add: ['2026-11-27', '2026-12-24'], remove: ['2026-11-27', '2026-12-24'] };
    const days = closureDays(2026, both);
    expect(days.filter((d) => d.date === '2026-11-27' || d.date === '2026-12-24')).toEqual([
      { date: '2026-11-27', weekday: 'Friday', name: 'Day after Thanksgiving', source: 'rule' },
      { date: '2026-12-24', weekday: 'Thursday', name: 'Closure added in config', source: 'added' },
    ]);
    const calendar = new BusinessCalendar(both);
    expect(calendar.isBusinessDay('2026-11-27')).toBe(false);
    expect(calendar.isBusinessDay('2026-12-24')).toBe(false);
  });

  test.each([2026, 2027, 2028])('in %i the calendar closes exactly the days the list shows as closed', (year) => {
    const calendar = new BusinessCalendar(adjustments);
    const closed = new Set(
      closureDays(year, adjustments)
        .filter((d) => d.source !== 'removed')
        .map((d) => d.date),
    );
    for (let day = `${year}-01-01`; day.startsWith(String(year)); day = addDays(day, 1)) {
      const weekend = weekday(day) === 0 || weekday(day) === 6;
      expect(calendar.isBusinessDay(day), day).toBe(!weekend && !closed.has(day));
    }
  });
});
