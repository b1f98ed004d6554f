import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { describe, expect, test } from 'vitest';
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { EMPTY_MAP, checkImportMap, findHeaderRow, importTargets, matchColumns } from '../../src/core/import-map.ts';
import { generateIds, planImport } from '../../src/core/import-plan.ts';
import { convertDate, convertDatasets, convertEmail } from '../../src/core/import-values.ts';

describe('dates', () => {
  test.each([
    [46_000, '2025-12-09', 'Excel serial'],
    ['46000', '2025-12-09', 'Excel serial'],
    [new Date('2026-03-04T00:00:00Z'), '2026-03-04', 'workbook date'],
    ['2026-03-04', '2026-03-04', 'ISO date'],
    ['3/4/2026', '2026-03-04', 'M/D/YYYY'],
    ['4-Mar-2026', '2026-03-04', 'D-Mon-YYYY'],
    ['04-March-2026', '2026-03-04', 'D-Mon-YYYY'],
    ['March 4, 2026', '2026-03-04', 'Month D, YYYY'],
    ['Mar 4, 2026', '2026-03-04', 'Month D, YYYY'],
    ['2026-03-04T17:00:00-08:00', '2026-03-04', 'ISO timestamp'],
  ])('reads %s as %s (%s)', (value, date, kind) => {
    expect(convertDate(value)).toEqual({ value: { kind: 'date', value: date }, kind });
  });

  test.each(['TBD', 'Q3 2026', '2/30/2026', '31-Feb-2026', '1/2/1850', '4-Mar-1850'])(
    'keeps %s as text, with a reason',
    (value) => {
      const converted = convertDate(value);
      expect(converted.value).toEqual({ kind: 'text', value });
      expect(converted.kind).toBe('kept as text');
      expect(converted.problem).toBeTruthy();
    },
  );
});

test.each([
  ['maria@dhcs.example.gov', 'maria@dhcs.example.gov', 'as is'],
  ['Maria Lopez <maria@dhcs.example.gov>', 'maria@dhcs.example.gov', 'display name removed'],
  ['"Lopez, Maria" <maria@dhcs.example.gov>', 'maria@dhcs.example.gov', 'display name removed'],
  ['Maria Lopez', 'Maria Lopez', 'kept as text'],
])('email %s → %s', (value, email, kind) => {
  expect(convertEmail(value)).toMatchObject({ value: { kind: 'text', value: email }, kind });
});

test.each([
  ['A; B', 'A; B'],
  ['A, B', 'A; B'],
  ['A\nB\r\nC', 'A; B; C'],
  ['A;; ,B', 'A; B'],
])('datasets %j → %j', (value, joined) => {
  expect(convertDatasets(value).value).toEqual({ kind: 'text', value: joined });
});

describe('columns', () => {
  test('every staff column and restricted column is a target; system columns are not', () => {
    const targets = importTargets().map((t) => t.header);
    for (const c of PROPOSAL_COLUMNS) expect(targets.includes(c.header)).toBe(c.owner === 'staff');
    expect(
      importTargets()
        .filter((t) => t.restricted)
        .map((t) => t.header),
    ).toEqual(['Specialized Security', 'Specialized Privacy', 'Known Risks', 'Department Positions']);
  });

  test('exact, then normalized, then synonym, then fuzzy; each tracker column taken once', () => {
    const matches = matchColumns(
      ['BUCP ID', 'use-case name', 'Requesting Dept', 'Stage', 'Proposal ID', 'Sponsr Email', 'Status', 'Whatever'],
      EMPTY_MAP,
    );
    expect(matches.map((m) => [m.source, m.target, m.how])).toEqual([
      ['BUCP ID', 'BUCP ID', 'exact'],
      ['use-case name', 'Use Case Name', 'normalized'],
      ['Requesting Dept', 'Requesting Department', 'synonym'],
      ['Stage', 'Stage', 'exact'],
      ['Proposal ID', null, 'none'],
      ['Sponsr Email', 'Sponsor Email', 'fuzzy'],
      ['Status', null, 'none'],
      ['Whatever', null, 'none'],
    ]);
    expect(matches[4]!.note).toContain('already comes from "BUCP ID"');
    expect(matches[6]!.note).toBe('written by the service');
  });

  test('a column whose name sounds restricted is never guessed into a column the tracker shows', () => {
    const [match] = matchColumns(['Security concerns notes'], EMPTY_MAP);
    expect(match!.target === null || match!.restricted).toBe(true);
  });

  test('an implausible serial is kept as the source typed it', () => {
    expect(convertDate(3)).toMatchObject({ value: { kind: 'text', value: '3' }, kind: 'kept as text' });
  });

  test('the header row is the first of 20 rows naming three known columns', () => {
    const grid = [
      ['Our tracker'],
      [],
      ['Proposal', null, 'Dates'],
      ['Proposal ID', 'Title', 'Stage', 'Date Submitted'],
    ];
    expect(findHeaderRow(grid, EMPTY_MAP)).toEqual({ ok: true, index: 3, known: 4 });
    expect(findHeaderRow([['a'], ['b']], EMPTY_MAP).ok).toBe(false);
  });
});

describe('map files', () => {
  test.each([
    [{ columns: { X: 'Nope' } }, 'columns.X'],
    [{ columns: { X: { to: 'Notes', restricted: true } } }, 'columns.X.restricted'],
    [{ values: { Stage: { 'In Legal': 'Legal' } } }, 'values.Stage.In Legal'],
    [{ headerRow: 'three' }, 'headerRow'],
    [{ colums: {} }, '(map)'],
  ])('%j is refused at %s', (input, where) => {
    const checked = checkImportMap(input, ['DHCS']);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problems.map((p) => p.path)).toContain(where);
  });

  test('a map names columns, marks restricted ones, and maps values', () => {
    const checked = checkImportMap(
      {
        headerRow: 4,
        columns: { 'Proposal ID': 'BUCP ID', Legal: { to: 'Known Risks', restricted: true }, Junk: null },
        values: { Stage: { 'In Legal Review': 'internal review', Undecided: null } },
      },
      ['DHCS'],
    );
    expect(checked).toEqual({
      ok: true,
      map: {
        headerRow: 4,
        columns: {
          'Proposal ID': { to: 'BUCP ID', restricted: false },
          Legal: { to: 'Known Risks', restricted: true },
          Junk: { to: null, restricted: false },
        },
        values: { Stage: { 'In Legal Review': 'Internal Review' } },
      },
    });
  });
});

test.each([
  ['P', [], 3, ['P0001', 'P0002', 'P0003']],
  ['P', ['P0007', 'P12', 'Q0100'], 2, ['P0013', 'P0014']],
  ['B-', ['B-00099'], 1, ['B-00100']],
])('IDs with prefix %s after %j', (prefix, used, count, ids) => {
  expect(generateIds(prefix, new Set(used), count)).toEqual(ids);
});

test('the plan: restricted content goes to restricted records only, and nothing of it is reported', () => {
  const headers = ['BUCP ID', 'Stage', 'Known Risks'];
  const matches = matchColumns(headers, EMPTY_MAP);
  const plan = planImport(
    [
      { rowNumber: 2, cells: ['B-1', 'Drafting', 'secret one'] },
      { rowNumber: 3, cells: [null, null, null] },
      { rowNumber: 4, cells: ['B-1', 'Concept', null] },
    ],
    matches,
    EMPTY_MAP,
    { headers: [], rows: [] },
    { departments: [], overwrite: false },
  );
  expect(plan.restricted).toEqual([{ id: 'B-1', values: { 'Known Risks': 'secret one' } }]);
  expect(plan.staff.add).toEqual([
    { id: 'B-1', values: { 'BUCP ID': { kind: 'text', value: 'B-1' }, Stage: { kind: 'text', value: 'Drafting' } } },
  ]);
  expect(plan.blankRows).toBe(1);
  expect(plan.skipped).toEqual([{ row: 4, id: 'B-1', reason: expect.stringContaining('also on source row 2') }]);
  const { restricted: _content, staff: _staff, ...reported } = plan;
  expect(JSON.stringify(reported).includes('secret')).toBe(false);
});

test('the README’s worked example is a valid map', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### A worked example of the map file'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const checked = checkImportMap(YAML.parse(yaml), ['DHCS', 'CDPH']);
  expect(checked.ok ? [] : checked.problems).toEqual([]);
  if (checked.ok) expect(checked.map.columns['Counsel Notes']).toEqual({ to: 'Known Risks', restricted: true });
});
