import { expect, test } from 'vitest';
import type { CellValue, SheetTable } from '../../src/core/cells.ts';
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { parseProposals } from '../../src/core/schema.ts';

const context = { today: '2026-11-20', departments: ['DHCS', 'CDPH'] };

function table(rows: Record<string, CellValue>[]): SheetTable {
  const headers = PROPOSAL_COLUMNS.map((c) => c.header);
  return {
    headers,
    rows: rows.map((cells, i) => ({
      rowNumber: i + 2,
      cells: Object.fromEntries(headers.map((h) => [h, cells[h] ?? null])),
    })),
  };
}

// Each distinct value of a column is parsed once and reused: a repeated bad value must still be
// reported on every row that holds it, and a repeated good one must read the same everywhere.
test('a value repeated on many rows is judged the same way on each of them', () => {
  const rows = ['BUCP-1', 'BUCP-2', 'BUCP-3'].map((id) => ({
    'BUCP ID': id,
    Stage: 'internal  review',
    'Requesting Coordinator Email': 'not-an-email',
    'Stage Entered On': 46_300, // a serial date: 2026-10-05
    Datasets: 'MEDS; CalFresh',
  }));
  const parsed = parseProposals(table(rows), context);
  expect(parsed.records.map((r) => [r.bucpId, r.stage, r.stageEnteredOn, r.datasets, r.valid])).toEqual(
    ['BUCP-1', 'BUCP-2', 'BUCP-3'].map((id) => [id, 'Internal Review', '2026-10-05', ['MEDS', 'CalFresh'], false]),
  );
  const emailIssues = parsed.issues.filter((i) => i.column === 'Requesting Coordinator Email');
  expect(emailIssues.map((i) => [i.id, i.row, i.message])).toEqual(
    [2, 3, 4].map((row) => [
      `BUCP-${row - 1}`,
      row,
      'Requesting Coordinator Email: "not-an-email" is not a valid email address',
    ]),
  );
  expect(parsed.records.every((r) => r.errorColumns.includes('Requesting Coordinator Email'))).toBe(true);
});

test('a date in the future is judged against the day of the parse, not remembered from another day', () => {
  const rows = [{ 'BUCP ID': 'BUCP-1', Stage: 'Drafting', 'Concept On': '2026-11-25' }];
  expect(parseProposals(table(rows), context).records[0]!.valid).toBe(false);
  expect(parseProposals(table(rows), { ...context, today: '2026-11-30' }).records[0]!.valid).toBe(true);
});

// An ID used again further down is only known at the end, and both of its rows must then be reported
// and counted invalid.
test('an ID used on two rows, far apart, makes both rows invalid once the last row is in', () => {
  const parsed = parseProposals(
    table([
      { 'BUCP ID': 'BUCP-1', Stage: 'Drafting' },
      { 'BUCP ID': 'BUCP-2', Stage: 'Drafting' },
      { 'BUCP ID': 'BUCP-3', Stage: 'Drafting' },
      { 'BUCP ID': 'BUCP-1', Stage: 'Internal Review' },
    ]),
    context,
  );
  expect(parsed.records.map((r) => [r.rowNumber, r.bucpId, r.stage, r.valid])).toEqual([
    [2, 'BUCP-1', 'Drafting', false],
    [3, 'BUCP-2', 'Drafting', true],
    [4, 'BUCP-3', 'Drafting', true],
    [5, 'BUCP-1', 'Internal Review', false],
  ]);
  expect(parsed.issues.map((i) => [i.row, i.id, i.column, i.message])).toEqual(
    [2, 5].map((row) => [row, 'BUCP-1', 'BUCP ID', 'BUCP ID BUCP-1 is used on rows 2, 5: each BUCP ID must be unique']),
  );
});

test('rows given out of order come out in sheet order, with their issues', () => {
  const { headers, rows } = table([
    { 'BUCP ID': 'BUCP-1', Stage: 'Drafting', 'Sponsor Email': 'nobody' },
    { 'BUCP ID': 'BUCP-2', Stage: 'Drafting', 'Sponsor Email': 'nobody' },
  ]);
  const parsed = parseProposals({ headers, rows: [...rows].reverse() }, context);
  expect(parsed.records.map((r) => r.rowNumber)).toEqual([2, 3]);
  expect(parsed.issues.map((i) => i.row)).toEqual([2, 3]);
});

test("a row's system cells are read from its own cells, into a record of the system columns only", () => {
  const [first, second] = parseProposals(
    table([
      { 'BUCP ID': 'BUCP-1', Stage: 'Drafting', Status: 'Stalled', 'SLA Days': 10 },
      { 'BUCP ID': 'BUCP-2', Stage: 'Drafting', Status: 'On Track', 'SLA Days': 10 },
    ]),
    context,
  ).records;
  expect(first!.systemCells.Status).toBe('Stalled');
  expect(second!.systemCells).toMatchObject({ Status: 'On Track', 'SLA Days': 10, 'Stage Since': null });
  expect(second!.systemCells).not.toHaveProperty('Stage');
});
