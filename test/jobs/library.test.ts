import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import { d, editRow, makeWorkspace, proposal } from '../support/workspace.ts';

async function grid(file: string, tab: string): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const rows: unknown[][] = [];
  workbook.getWorksheet(tab)!.eachRow((row) => {
    const values = [...(row.values as unknown[]).slice(1)].map((v) => (v === undefined || v === '' ? null : v));
    while (values.length > 0 && values.at(-1) === null) values.pop();
    rows.push(values);
  });
  return rows;
}

/** The rows under a section title, up to the next blank row. */
function sectionRows(rows: unknown[][], title: RegExp): unknown[][] {
  const start = rows.findIndex((r) => r.length === 1 && title.test(String(r[0])));
  expect(start, String(title)).toBeGreaterThan(-1);
  const end = rows.findIndex((r, i) => i > start + 1 && (r.length === 1 || r.length === 0));
  return rows.slice(start + 2, end === -1 ? undefined : end);
}

test('the Library tab: four sections from staff data, newest first, rebuilt when staff change a row', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('B-1', {
      Stage: 'Active',
      'Stage Entered On': d('2026-06-01'),
      'Submitted On': d('2026-02-01'),
      'Approved On': d('2026-03-01'),
      'First Data Transfer On': d('2026-06-01'),
      Outcome: 'Approved',
      'Restriction Solution': 'De-identification',
      'Legal Authority': 'W&I Code 14100.2',
      Documents: 'https://docs.example.gov/B-1',
      'Data-Sharing Outcome': 'Monthly eligibility extract running',
      'Lessons Learned': 'Agree the de-identification method before drafting',
    }),
    proposal('B-2', {
      Stage: 'Closed',
      'Stage Entered On': d('2026-10-01'),
      'Submitted On': d('2025-09-01'),
      'First Data Transfer On': d('2025-12-01'),
      'Closed On': d('2026-10-01'),
      Outcome: 'Approved with Modifications',
      'Restriction Solution': 'De-identification',
      'Legal Authority': 'HSC 100330',
      Datasets: 'Vital Statistics Births',
      'Lessons Learned': 'Small cells need suppression rules up front',
    }),
    proposal('B-3', {
      Stage: 'Drafting',
      'Stage Entered On': d('2026-11-02'),
      'Restriction Solution': 'Aggregation',
      'Lessons Learned': 'Start the legal review in Concept',
    }),
    proposal('B-4', { Stage: 'Concept', 'Stage Entered On': d('2026-11-02'), 'Restriction Solution': 'None' }),
  ]);
  await ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': d('2026-11-20'),
      Category: 'De-identification Method',
      Level: 'Risk Management Subcommittee',
      Decision: 'Modified',
      // Over Thanksgiving: 23, 24, 25 and 30 are the business days.
      'Resolved On': d('2026-11-30'),
      'Resolution Summary': 'Aggregate to county level',
    },
    {
      'Dispute ID': 'D-2',
      'BUCP ID': 'B-2',
      'Raised On': d('2025-10-01'),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Approved',
      'Resolved On': d('2025-10-15'),
      'Resolution Summary': 'Provider absorbs the cost',
    },
    { 'Dispute ID': 'D-3', 'BUCP ID': 'B-3', 'Raised On': d('2026-11-02'), Level: 'Data Coordinators' },
  ]);
  await ws.run('2026-12-01T08:00');
  const library = await grid(ws.tracker.path, 'Library');
  expect(library[0]).toEqual(['BUCP reference library']);

  expect(sectionRows(library, /^Dispute resolutions/)).toEqual([
    [
      'D-1',
      'B-1',
      'Use case B-1',
      'De-identification Method',
      'Risk Management Subcommittee',
      'Modified',
      4,
      'Aggregate to county level',
    ],
    ['D-2', 'B-2', 'Use case B-2', 'Cost', 'Data Coordinators', 'Approved', 10, 'Provider absorbs the cost'],
  ]);
  expect(sectionRows(library, /^Statutory restriction solutions/)).toEqual([
    ['Aggregation', 'B-3', 'Use case B-3', null, 'Medi-Cal Eligibility; Vital Statistics Births', 'Pending'],
    [
      'De-identification',
      'B-2',
      'Use case B-2',
      'HSC 100330',
      'Vital Statistics Births',
      'Approved with Modifications',
    ],
    [
      'De-identification',
      'B-1',
      'Use case B-1',
      'W&I Code 14100.2',
      'Medi-Cal Eligibility; Vital Statistics Births',
      'Approved',
      'Monthly eligibility extract running',
      'https://docs.example.gov/B-1',
    ],
  ]);
  expect(sectionRows(library, /^Data-sharing outcomes/).map((r) => [r[0], r[2], r.at(-1)])).toEqual([
    ['B-2', 'Closed', '(not recorded yet)'],
    ['B-1', 'Active', 'Monthly eligibility extract running'],
  ]);
  expect(sectionRows(library, /^Lessons learned/)).toEqual([
    ['B-3', 'Use case B-3', 'Drafting', 'Pending', 'Start the legal review in Concept'],
    ['B-2', 'Use case B-2', 'Closed', 'Approved with Modifications', 'Small cells need suppression rules up front'],
    ['B-1', 'Use case B-1', 'Active', 'Approved', 'Agree the de-identification method before drafting'],
  ]);

  // A staff edit shows on the next cycle, even one that is only a sync (no metrics part).
  await editRow(ws.tracker.path, 'Proposals', 'BUCP ID', 'B-4', { 'Lessons Learned': 'Name a sponsor first' });
  await ws.run('2026-12-01T09:00', { parts: new Set() });
  expect(sectionRows(await grid(ws.tracker.path, 'Library'), /^Lessons learned/).map((r) => r[0])).toEqual([
    // B-3 and B-4 share their newest date: by BUCP ID.
    'B-3',
    'B-4',
    'B-2',
    'B-1',
  ]);
});
