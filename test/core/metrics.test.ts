import { describe, expect, test } from 'vitest';
import { median, percentile } from '../../src/core/metrics.ts';
import { d, makeWorkspace, proposal } from '../support/workspace.ts';

describe('median and p90', () => {
  test.each([
    [[], null, null],
    [[5], 5, 5],
    [[1, 2, 3, 4], 2.5, 4],
    [[10, 1, 7, 3, 5], 5, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9],
  ])('%j → median %s, p90 %s', (values, m, p) => {
    expect(median(values)).toBe(m);
    expect(percentile(values, 90)).toBe(p);
  });
});

test('the summary metrics of a small tracker, computed by hand', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([
    // Fulfilled in 61 calendar days: within the three-month baseline.
    proposal('M-1', {
      Stage: 'Active',
      'Concept On': d('2026-01-05'),
      'Submitted On': d('2026-01-20'),
      'Approved On': d('2026-02-03'),
      'First Data Transfer On': d('2026-03-07'),
      Outcome: 'Approved',
      'Restriction Solution': 'Aggregation',
      'Data-Sharing Outcome': 'Dashboard live',
      Datasets: 'MEDS; Births',
    }),
    // No Concept On: measured from Submitted On; 120 days, outside the baseline.
    proposal('M-2', {
      Stage: 'Closed',
      'Submitted On': d('2026-03-02'),
      'Approved On': d('2026-04-01'),
      'First Data Transfer On': d('2026-06-30'),
      'Closed On': d('2026-10-01'),
      Outcome: 'Approved with Modifications',
      'Restriction Solution': 'De-identification',
      Datasets: 'meds; Deaths',
    }),
    proposal('M-3', {
      Stage: 'Closed',
      'Submitted On': d('2026-05-04'),
      'Closed On': d('2026-06-01'),
      Outcome: 'Denied',
      Datasets: 'MEDS',
    }),
    proposal('M-4', { Stage: 'Drafting', 'Stage Entered On': d('2026-11-16'), 'Requesting Department': 'DDS' }),
    proposal('M-5', { Stage: 'Nonsense' }),
  ]);
  await ws.addRestricted([{ 'BUCP ID': 'M-1' }, { 'BUCP ID': 'M-2' }, { 'BUCP ID': 'M-3' }]);
  const { metrics } = await ws.run('2026-11-23T08:00');
  expect(metrics.proposals).toEqual({ total: 5, valid: 4, invalid: 1 });
  expect(metrics.fulfillment.calendarDays).toEqual({ count: 2, median: (61 + 120) / 2, p90: 120 });
  expect(metrics.fulfillment.withinBaseline).toBe(1);
  expect(metrics.fulfillment.withinBaselineShare).toBe(0.5);
  expect(metrics.approval.calendarDays).toEqual({ count: 2, median: (14 + 30) / 2, p90: 30 });
  expect(metrics.outcomes).toMatchObject({ Approved: 1, 'Approved with Modifications': 1, Denied: 1, Pending: 1 });
  expect(metrics.approvalRate).toBeCloseTo(2 / 3);
  expect(metrics.restrictionSolutions).toMatchObject({ Aggregation: 1, 'De-identification': 1, '(blank)': 2 });
  expect(metrics.dataSharingOutcomes).toEqual({ recorded: 1, missing: 2 });
  expect(metrics.topDatasets[0]).toEqual({ dataset: 'MEDS', requests: 3 });
  expect(metrics.byRequestingDepartment.map((r) => [r.department, r.proposals])).toEqual([
    ['DHCS', 3],
    ['DDS', 1],
  ]);
  expect(metrics.bySubmittedQuarter.map((q) => [q.quarter, q.submitted, q.approved])).toEqual([
    ['2026 Q1', 2, 2],
    ['2026 Q2', 1, 0],
  ]);
  expect(metrics.timeInStage.Drafting).toEqual({ count: 1, median: 5, p90: 5 });
});
