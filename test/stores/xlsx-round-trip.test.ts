import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { d, enteredDaysAgo, headerColumns, makeWorkspace, proposal, sortRows } from '../support/workspace.ts';

const STAFF = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);

/** Every staff cell of every proposal, with its value and style, keyed by BUCP ID. */
async function staffCells(file: string): Promise<Map<string, string>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet('Proposals')!;
  const columns = headerColumns(sheet);
  const cells = new Map<string, string>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const id = String(row.getCell(columns.get('BUCP ID')!).value);
    cells.set(
      id,
      JSON.stringify(STAFF.map((h) => [h, row.getCell(columns.get(h)!).value, row.getCell(columns.get(h)!).style])),
    );
  });
  return cells;
}

test('init, fill, run, sort, run, read back: staff cells unchanged, system cells right per BUCP ID, layout intact', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('B-101', {
      'Use Case Name': 'Zeta linkage',
      Stage: 'Concept',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 3),
    }),
    proposal('B-102', {
      'Use Case Name': 'Alpha study',
      Stage: 'Provider Review',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 16),
      'Submitted On': '9/15/2026',
      'Concept On': '2026-08-01',
      Notes: '=IMPORTXML("http://x","//a")',
    }),
    proposal('B-103', {
      'Use Case Name': 'Mid dashboard',
      Stage: 'Active',
      'Concept On': d('2026-01-05'),
      'Submitted On': d('2026-02-02'),
      'Approved On': d('2026-03-02'),
      'Filed On': d('2026-03-16'),
      'First Data Transfer On': d('2026-04-01'),
      Outcome: 'Approved',
      'Restriction Solution': 'Aggregation',
      'Data-Sharing Outcome': 'Monthly extract delivered',
    }),
  ]);
  await ws.addRestricted([{ 'BUCP ID': 'B-102' }, { 'BUCP ID': 'B-103' }]);

  // Staff decorate their cells the way people do: a formula, rich text, a link, bold, a fill, a wider column.
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(ws.tracker.path);
  const sheet = workbook.getWorksheet('Proposals')!;
  const col = headerColumns(sheet);
  sheet.getRow(2).getCell(col.get('Notes')!).value = { formula: 'LEN("abc")', result: 3 };
  sheet.getRow(3).getCell(col.get('Legal Authority')!).value = {
    richText: [{ text: 'W&I ', font: { bold: true } }, { text: 'Code 14100.2' }],
  };
  sheet.getRow(4).getCell(col.get('Documents')!).value = {
    text: 'folder',
    hyperlink: 'https://sharepoint.example.gov/b103',
  };
  sheet.getRow(2).getCell(col.get('Use Case Name')!).font = { bold: true, color: { argb: 'FFC00000' } };
  sheet.getRow(3).getCell(col.get('Datasets')!).fill = {
    type: 'pattern',
    pattern: 'solid',
    fgColor: { argb: 'FFFFFF00' },
  };
  sheet.getColumn(col.get('Notes')!).width = 55;
  await workbook.xlsx.writeFile(ws.tracker.path);
  const before = await staffCells(ws.tracker.path);

  await ws.run('2026-11-23T08:00');
  await sortRows(ws.tracker.path, 'Proposals', 'Use Case Name');
  const second = await ws.run('2026-11-24T08:00');

  expect(await staffCells(ws.tracker.path)).toEqual(before);

  const after = new ExcelJS.Workbook();
  await after.xlsx.readFile(ws.tracker.path);
  const proposals = after.getWorksheet('Proposals')!;
  const columns = headerColumns(proposals);
  const system = new Map<string, Record<string, unknown>>();
  proposals.eachRow((row, n) => {
    if (n === 1) return;
    const get = (h: string) => row.getCell(columns.get(h)!).value;
    system.set(String(get('BUCP ID')), {
      row: n,
      stageSince: (get('Stage Since') as Date | null)?.toISOString().slice(0, 10) ?? null,
      days: get('Business Days in Stage'),
      sla: get('SLA Days') ?? null,
      status: get('Status'),
    });
  });
  // Sorted by Use Case Name: Alpha (B-102), Mid (B-103), Zeta (B-101).
  expect([...system.keys()]).toEqual(['B-102', 'B-103', 'B-101']);
  for (const finding of second.findings) {
    expect(system.get(finding.bucpId), finding.bucpId).toMatchObject({
      stageSince: finding.stageSince,
      days: finding.businessDaysInStage,
      sla: finding.slaDays,
      status: finding.status,
    });
  }
  expect(system.get('B-101')).toMatchObject({ status: 'On Track', days: 4, sla: 20 });
  expect(system.get('B-102')).toMatchObject({ status: 'Stalled', days: 17, sla: 15 });
  expect(system.get('B-103')).toMatchObject({ status: 'Closed', sla: null });

  // Dropdowns, highlights, frozen header and the wider column are still there.
  const validations = (
    proposals as unknown as { dataValidations: { find(a: string): ExcelJS.DataValidation | undefined } }
  ).dataValidations;
  const stageLetter = proposals.getColumn(columns.get('Stage')!).letter;
  expect(validations.find(`${stageLetter}2`)).toMatchObject({ type: 'list', formulae: ["'Lists'!$A$2:$A$11"] });
  expect(validations.find(`${stageLetter}500`)).toMatchObject({ type: 'list' });
  const cf = (proposals as unknown as { conditionalFormattings: { rules: { formulae: string[] }[] }[] })
    .conditionalFormattings;
  expect(cf.flatMap((c) => c.rules.map((r) => r.formulae[0]))).toEqual(
    expect.arrayContaining([
      expect.stringContaining('"Stalled"'),
      expect.stringContaining('"Escalated"'),
      expect.stringContaining('"Due Soon"'),
    ]),
  );
  expect(proposals.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  expect(proposals.getColumn(columns.get('Notes')!).width).toBe(55);
  expect(after.getWorksheet('Lists')!.getRow(2).getCell(1).value).toBe('Concept');
});

test('init on an existing workbook adds missing tabs and columns and changes no staff data', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([proposal('B-1', { Notes: 'keep me' })]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(ws.tracker.path);
  workbook.removeWorksheet(workbook.getWorksheet('Issues')!.id);
  const sheet = workbook.getWorksheet('Proposals')!;
  const lastSynced = headerColumns(sheet).get('Last Synced At')!;
  sheet.getRow(1).getCell(lastSynced).value = null;
  await workbook.xlsx.writeFile(ws.tracker.path);
  expect((await ws.tracker.read()).layoutProblems.join(' ')).toMatch(/Issues.*bucp init|Last Synced At.*bucp init/s);
  const before = await staffCells(ws.tracker.path);

  const { runInit } = await import('../../src/jobs/init.job.ts');
  const report = await runInit({ config: ws.config, store: ws.tracker, restricted: ws.restricted });
  expect(report.tracker.created).toEqual(['tab "Issues"']);
  expect(report.tracker.repaired).toContain('column "Last Synced At" on "Proposals"');
  expect((await ws.tracker.read()).layoutProblems).toEqual([]);
  expect(await staffCells(ws.tracker.path)).toEqual(before);
  const again = await runInit({ config: ws.config, store: ws.tracker, restricted: ws.restricted });
  expect(again.tracker).toMatchObject({ created: [], repaired: [] });
});

test("a workbook reports how much of Excel's row limit its Activity Log uses", async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([proposal('B-1'), proposal('B-2')]);
  await ws.run('2026-11-23T08:00');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(ws.tracker.path);
  const lines = workbook.getWorksheet('Activity Log')!.rowCount;
  // A header and a "first seen" line per proposal at least.
  expect(lines).toBeGreaterThanOrEqual(3);
  expect((await ws.tracker.read()).capacity).toEqual({
    used: lines,
    limit: 1_048_576,
    limitName: "Excel's limit of 1,048,576 rows per worksheet (on the Activity Log tab)",
  });
});
