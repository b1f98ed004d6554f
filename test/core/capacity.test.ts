import { expect, test } from 'vitest';
import { capacityIssues } from '../../src/core/capacity.ts';

const limitName = "Google's limit of 10,000,000 cells per spreadsheet";
const at = (used: number) => capacityIssues({ used, limit: 10_000_000, limitName });

test('a store under 80% of its limit, or with none, raises nothing', () => {
  expect(at(7_999_999)).toEqual([]);
  expect(capacityIssues(undefined)).toEqual([]);
  expect(capacityIssues({ used: 5, limit: 0, limitName })).toEqual([]);
});

test('past 80%, 90% and 95% a warning on the Activity Log names the threshold, the same words within one', () => {
  const messages = [8_000_000, 8_999_999, 9_000_000, 9_500_000, 10_000_000].map((used) => {
    const issues = at(used);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ tab: 'Activity Log', row: 0, id: null, column: null, severity: 'warning' });
    return issues[0]!.message;
  });
  expect(messages[0]).toContain(`80% or more of ${limitName}`);
  // Logged once per threshold: within one, the message does not change with the count.
  expect(messages[1]).toBe(messages[0]);
  expect(messages[2]).toContain('90% or more');
  expect(messages[3]).toContain('95% or more');
  expect(messages[4]).toBe(messages[3]);
});
