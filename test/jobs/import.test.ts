import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { TABS } from '../../src/core/contract.ts';
import type { ImportReport } from '../../src/jobs/import.job.ts';
import { runImport } from '../../src/jobs/import.job.ts';
import { dumpWorkbook } from '../support/dump.ts';
import { CONTACTS, editRow, makeWorkspace, type Workspace } from '../support/workspace.ts';
import {
  CANARY,
  MESSY_MAP_YAML,
  writeBomSemicolonCsv,
  writeMessyWorkbook,
  writeWindows1252Csv,
} from '../fixtures/import-trackers.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import ExcelJS from 'exceljs';

async function importWorkspace() {
  const ws = await makeWorkspace();
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    JSON.stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t) };
  const bucp = async (...args: string[]) => {
    out.length = 0;
    const code = await main([...args, '--config', configFile], io);
    return { code, text: out.join('\n') };
  };
  const importJson = async (...args: string[]) => {
    const { code, text } = await bucp('import', ...args, '--json');
    expect(code, text).toBe(0);
    return JSON.parse(text) as ImportReport;
  };
  return { ws, configFile, bucp, importJson };
}

/** Each proposal's Status, as the cycle wrote it into the tracker. */
async function statuses(ws: Workspace): Promise<Record<string, unknown>> {
  const snapshot = await ws.tracker.read();
  return Object.fromEntries(snapshot.proposals.rows.map((r) => [r.cells['BUCP ID'], r.cells.Status]));
}

async function proposalCells(ws: Workspace, id: string): Promise<Record<string, unknown>> {
  const snapshot = await ws.tracker.read();
  return snapshot.proposals.rows.find((r) => r.cells['BUCP ID'] === id)!.cells;
}

/** The restricted workbook's rows by ID: read here, as a person with access would. */
async function restrictedRows(file: string): Promise<Map<string, Record<string, unknown>>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(TABS.restricted)!;
  const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const rows = new Map<string, Record<string, unknown>>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells = Object.fromEntries(headers.map((h, i) => [h, row.getCell(i).value ?? null]).filter(([h]) => h));
    rows.set(String(cells['BUCP ID']), cells);
  });
  return rows;
}

test('messy workbook: import with a map into an empty tracker, run a cycle, statuses, row issues and metrics as worked out by hand', async () => {
  const { ws, bucp, importJson } = await importWorkspace();
  const file = await writeMessyWorkbook(ws.dir);
  const mapFile = path.join(ws.dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);

  const report = await importJson(file, '--map', mapFile);
  expect(report.sheet).toBe('FY26 Tracker');
  expect(report.headerRow).toBe(5);
  expect(report.rows.add).toEqual(['DHCS-001', 'DHCS-002', 'DHCS-003', 'DHCS-004', 'DHCS-005', 'DHCS-006']);
  expect(report.rows.blank).toBe(2);
  expect(report.rows.skip).toEqual([{ row: 14, id: null, reason: expect.stringContaining('--id-prefix') }]);
  expect(report.notImported).toEqual(['Internal Comments']);
  expect(report.written).toEqual({ rowsAdded: 6, cellsFilled: 0, missingIds: [] });
  expect(report.restricted).toMatchObject({ records: 3, added: ['DHCS-002', 'DHCS-003', 'DHCS-005'] });
  expect(report.problems.map((p) => [p.id, p.column])).toEqual([['DHCS-006', 'Submitted On']]);

  // The values as converted: formulas by result, display names dropped, datasets split, stages mapped, dates read.
  const first = await proposalCells(ws, 'DHCS-001');
  expect(first).toMatchObject({
    'Use Case Name': 'Eligibility linkage',
    'Requesting Department': 'DHCS',
    'Requesting Coordinator Email': 'maria.lopez@dhcs.example.gov',
    Datasets: 'Medi-Cal Eligibility; Vital Statistics Births',
    Stage: 'Drafting',
  });
  const second = await proposalCells(ws, 'DHCS-002');
  expect(second).toMatchObject({
    Stage: 'Internal Review',
    'Providing Coordinator Email': 'ana.pena@cdph.example.gov',
    Datasets: 'Vital Statistics Births; Medi-Cal Claims',
  });
  expect(second['Notes']).toBeNull();

  const cycle = await ws.run('2026-11-23T08:00');
  // Hand-worked: business days in stage against each stage's SLA (Drafting 15, Internal Review 10,
  // Provider Review 15, Concept 20; Active has none).
  expect(await statuses(ws)).toEqual({
    'DHCS-001': 'On Track', // 3 of 15
    'DHCS-002': 'Due Soon', // 9 of 10: within the 2-day window
    'DHCS-003': 'Stalled', // 20 of 15
    'DHCS-004': 'Escalated', // 45, past twice 20
    'DHCS-005': 'Closed', // Active
    'DHCS-006': null, // invalid (its Submitted On is kept as "TBD"): no status until fixed
  });
  const errors = cycle.rowIssues.filter((i) => i.severity === 'error');
  expect(errors.map((i) => [i.id, i.column])).toEqual([['DHCS-006', 'Submitted On']]);
  expect(errors[0]!.message).toContain('"TBD" is not a date');
  // No "restricted record missing" issue: the records for Provider Review and Active landed.
  expect(cycle.rowIssues.filter((i) => /restricted/i.test(i.message))).toEqual([]);
  expect(cycle.metrics.proposals).toEqual({ total: 6, valid: 5, invalid: 1 });
  // Metrics count valid proposals: DHCS-006 waits for its date to be fixed.
  expect(cycle.metrics.byStage).toMatchObject({
    Drafting: 1,
    'Internal Review': 1,
    'Provider Review': 1,
    Concept: 1,
    Active: 1,
  });
  expect(cycle.metrics.outcomes).toMatchObject({ Pending: 4, Approved: 1 });

  // Restricted content is in the restricted workbook only, and nowhere the command printed.
  const secret = await restrictedRows(ws.restricted.path);
  expect(String(secret.get('DHCS-003')!['Known Risks'])).toContain(CANARY);
  expect(secret.get('DHCS-003')!['Specialized Privacy']).toBeNull();
  expect((await dumpWorkbook(ws.tracker.path)).includes(CANARY)).toBe(false);
  const preview = await bucp('import', file, '--map', mapFile, '--dry-run');
  expect(preview.text).toContain('Counsel Notes');
  expect(preview.text.includes(CANARY)).toBe(false);
});

test('without a map: the custom stages are listed as problems and kept as typed, and --write-map proposes them', async () => {
  const { ws, bucp, importJson } = await importWorkspace();
  const file = await writeMessyWorkbook(ws.dir);
  const mapFile = path.join(ws.dir, 'proposed.yaml');
  const before = await stat(ws.tracker.path);
  const report = await importJson(file, '--dry-run', '--write-map', mapFile);
  expect((await stat(ws.tracker.path)).mtimeMs).toBe(before.mtimeMs);
  expect(report.written).toBeNull();
  expect(report.notImported).toEqual(['Counsel Notes', 'Internal Comments']);
  expect(report.problems.filter((p) => p.column === 'Stage').map((p) => p.message)).toEqual([
    expect.stringContaining('"In Legal Review" is not a known Stage'),
    expect.stringContaining('"With Provider"'),
    expect.stringContaining('"Kickoff"'),
    expect.stringContaining('"Live"'),
  ]);
  const how = Object.fromEntries(report.columns.map((c) => [c.source, c.how]));
  expect(how).toMatchObject({
    'Proposal ID': 'synonym',
    'Providing Department': 'exact',
    'Data Sets': 'normalized',
    'Counsel Notes': 'none',
  });
  const proposed = await readFile(mapFile, 'utf8');
  expect(proposed).toContain('In Legal Review: Internal Review');
  expect(proposed).toContain('Counsel Notes: null');
  // The proposed map is a valid map as written.
  expect((await bucp('import', file, '--dry-run', '--map', mapFile)).code).toBe(0);

  // Imported as is, the kept stage names reach the cycle as row issues naming the row and column.
  await importJson(file);
  const cycle = await ws.run('2026-11-23T08:00');
  const stageIssues = cycle.rowIssues.filter((i) => i.column === 'Stage');
  expect(stageIssues.map((i) => i.id)).toEqual(['DHCS-002', 'DHCS-003', 'DHCS-004', 'DHCS-005']);
});

test('CSV with a BOM and ; separators: round trip through a cycle', async () => {
  const { ws, importJson } = await importWorkspace();
  const report = await importJson(await writeBomSemicolonCsv(ws.dir));
  expect(report).toMatchObject({ encoding: 'utf-8', delimiter: ';', headerRow: 1 });
  expect(report.rows.add).toEqual(['CDPH-10', 'CDPH-11', 'CDPH-12']);
  const ten = await proposalCells(ws, 'CDPH-10');
  // The BOM is not part of the first header, the quoted line break split two datasets.
  expect(ten).toMatchObject({
    'Use Case Name': 'Salud Pública linkage',
    Datasets: 'Vital Statistics Births; Medi-Cal Eligibility',
  });
  expect((await proposalCells(ws, 'CDPH-11'))['Use Case Name']).toBe('Registry; phase 2');
  const cycle = await ws.run('2026-11-23T08:00');
  expect(await statuses(ws)).toEqual({ 'CDPH-10': 'Due Soon', 'CDPH-11': 'Stalled', 'CDPH-12': 'Closed' });
  expect(cycle.rowIssues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(cycle.metrics.outcomes).toMatchObject({ Pending: 2, Denied: 1 });
  expect(cycle.metrics.approvalRate).toBe(0);
  expect((await restrictedRows(ws.restricted.path)).get('CDPH-11')!['Specialized Security']).toContain(CANARY);
  expect((await dumpWorkbook(ws.tracker.path)).includes(CANARY)).toBe(false);
});

test('Windows-1252 CSV: detected, no mojibake; --encoding reads it as told', async () => {
  const { ws, importJson } = await importWorkspace();
  const file = await writeWindows1252Csv(ws.dir);
  const dry = await importJson(file, '--dry-run', '--encoding', 'utf-8');
  expect(dry.encoding).toBe('utf-8');
  const report = await importJson(file);
  expect(report.encoding).toBe('windows-1252');
  expect(await proposalCells(ws, 'CDSS-1')).toMatchObject({
    'Use Case Name': 'Niños’ café study – pilot',
    'Requesting Coordinator Email': 'jose.nunez@cdss.example.gov',
  });
  expect((await proposalCells(ws, 'CDSS-2'))['Use Case Name']).toBe('Résumé matching');
  const cycle = await ws.run('2026-11-23T08:00');
  expect(await statuses(ws)).toEqual({ 'CDSS-1': 'On Track', 'CDSS-2': 'Stalled' });
  expect(cycle.rowIssues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(cycle.metrics.approvalRate).toBe(1);
});

test('a second import changes nothing; conflicts are reported and kept, and applied with --overwrite', async () => {
  const { ws, bucp, importJson } = await importWorkspace();
  const file = await writeMessyWorkbook(ws.dir);
  const mapFile = path.join(ws.dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);
  await importJson(file, '--map', mapFile);
  await ws.run('2026-11-23T08:00');

  const tracker = await stat(ws.tracker.path);
  const restricted = await stat(ws.restricted.path);
  const again = await importJson(file, '--map', mapFile);
  expect(again.rows).toMatchObject({ add: [], fill: [], unchanged: 6 });
  expect(again.conflicts).toEqual([]);
  expect(again.written).toBeNull();
  expect(again.restricted).toMatchObject({ added: [], filled: [], conflicts: [], unchanged: 3 });
  expect((await stat(ws.tracker.path)).mtimeMs).toBe(tracker.mtimeMs);
  expect((await stat(ws.restricted.path)).mtimeMs).toBe(restricted.mtimeMs);

  // Staff renamed one proposal and cleared a sponsor; someone edited a restricted field.
  await editRow(ws.tracker.path, TABS.proposals, 'BUCP ID', 'DHCS-001', { 'Use Case Name': 'Renamed by staff' });
  await editRow(ws.tracker.path, TABS.proposals, 'BUCP ID', 'DHCS-002', { 'Sponsor Email': null });
  await editRow(ws.restricted.path, TABS.restricted, 'BUCP ID', 'DHCS-002', { 'Specialized Security': 'edited' });

  const kept = await importJson(file, '--map', mapFile);
  expect(kept.conflicts).toEqual([
    {
      id: 'DHCS-001',
      row: 6,
      column: 'Use Case Name',
      existing: 'Renamed by staff',
      incoming: 'Eligibility linkage',
      overwritten: false,
    },
  ]);
  expect(kept.rows.fill).toEqual([{ id: 'DHCS-002', columns: ['Sponsor Email'] }]);
  expect(kept.restricted.conflicts).toEqual([{ id: 'DHCS-002', column: 'Specialized Security', overwritten: false }]);
  expect((await proposalCells(ws, 'DHCS-001'))['Use Case Name']).toBe('Renamed by staff');
  expect((await proposalCells(ws, 'DHCS-002'))['Sponsor Email']).toBe('sponsor@dhcs.example.gov');
  expect((await restrictedRows(ws.restricted.path)).get('DHCS-002')!['Specialized Security']).toBe('edited');
  // The text preview names the restricted conflict but never its content.
  const text = await bucp('import', file, '--map', mapFile, '--dry-run');
  expect(text.text).toContain('DHCS-002 Specialized Security: differs (content not shown)');
  expect(text.text.includes(CANARY) || text.text.includes('edited')).toBe(false);

  const overwritten = await importJson(file, '--map', mapFile, '--overwrite');
  expect(overwritten.conflicts).toMatchObject([{ id: 'DHCS-001', column: 'Use Case Name', overwritten: true }]);
  expect((await proposalCells(ws, 'DHCS-001'))['Use Case Name']).toBe('Eligibility linkage');
  expect((await restrictedRows(ws.restricted.path)).get('DHCS-002')!['Specialized Security']).toContain(CANARY);
  // The system cells the cycle wrote are untouched by the import.
  expect((await proposalCells(ws, 'DHCS-003')).Status).toBe('Stalled');
});

test('--id-prefix numbers rows without an ID after the highest in use, never colliding', async () => {
  const { ws, importJson } = await importWorkspace();
  await ws.addProposals([{ 'BUCP ID': 'NEW-0041', Stage: 'Concept' }]);
  const mapFile = path.join(ws.dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);
  const report = await importJson(await writeMessyWorkbook(ws.dir), '--map', mapFile, '--id-prefix', 'NEW-');
  expect(report.generatedIds).toEqual(['NEW-0042']);
  expect(report.rows.skip).toEqual([]);
  expect(await proposalCells(ws, 'NEW-0042')).toMatchObject({
    'Use Case Name': 'An idea nobody numbered',
    Stage: 'Concept',
  });
});

test('10,000 rows import in one run, in one workbook write, with progress reported', async () => {
  const { ws } = await importWorkspace();
  const header = 'BUCP ID,Use Case Name,Requesting Department,Providing Department,Stage,Stage Entered On,Datasets';
  const lines = Array.from(
    { length: 10_000 },
    (_, i) => `BIG-${i + 1},Case ${i + 1},DHCS,CDPH,Drafting,11/2/2026,"A; B"`,
  );
  const file = path.join(ws.dir, 'big.csv');
  await writeFile(file, [header, ...lines].join('\n'));
  const steps: string[] = [];
  let saves = 0;
  const store = new XlsxTrackerStore({
    path: ws.tracker.path,
    beforeSave: async () => {
      saves += 1;
    },
  });
  const report = await runImport(
    { config: ws.config, store, restricted: new XlsxRestrictedStore(ws.restricted.path) },
    { file, dryRun: false, overwrite: false, onProgress: (p) => steps.push(`${p.step} ${p.rows}`) },
  );
  expect(report.written).toEqual({ rowsAdded: 10_000, cellsFilled: 0, missingIds: [] });
  expect(saves).toBe(1);
  expect(steps).toEqual(['read 10000', 'plan 10000', 'restricted 10000', 'write 10000']);
  expect((await ws.tracker.read()).proposals.rows.length).toBe(10_000);
}, 120_000);

test('a bad map names its key path and exits 2; an unreadable source exits 2; nothing is written', async () => {
  const { ws, bucp } = await importWorkspace();
  const file = await writeMessyWorkbook(ws.dir);
  const mapFile = path.join(ws.dir, 'bad.yaml');
  await writeFile(mapFile, 'values:\n  Stage:\n    In Legal Review: Legal\n');
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  const before = await stat(ws.tracker.path);
  try {
    expect((await bucp('import', file, '--map', mapFile)).code).toBe(2);
    expect((await bucp('import', path.join(ws.dir, 'missing.csv'))).code).toBe(2);
    expect((await bucp('import', file, '--sheet', 'Nope')).code).toBe(2);
  } finally {
    process.stderr.write = write;
  }
  expect(stderr.join('')).toContain('values.Stage.In Legal Review: "Legal" is not a Stage');
  expect(stderr.join('')).toContain('No file at');
  expect(stderr.join('')).toContain('has no sheet "Nope"; its sheets: Read me, FY26 Tracker');
  expect((await stat(ws.tracker.path)).mtimeMs).toBe(before.mtimeMs);
});

test('an import writes under the tracker lease: while another instance holds it, nothing is written', async () => {
  const { ws, bucp } = await importWorkspace();
  const file = await writeBomSemicolonCsv(ws.dir);
  await ws.tracker.lease.acquire('elsewhere:4242:service', new Date(), 60_000);
  const before = await stat(ws.tracker.path);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    expect((await bucp('import', file)).code).toBe(1);
    // A dry run writes nothing, so it needs no lease.
    expect((await bucp('import', file, '--dry-run')).code).toBe(0);
  } finally {
    process.stderr.write = write;
  }
  expect(stderr.join('')).toContain('The tracker is busy: elsewhere:4242:service holds its lease');
  expect((await stat(ws.tracker.path)).mtimeMs).toBe(before.mtimeMs);
  expect((await restrictedRows(ws.restricted.path)).size).toBe(0);
  await ws.tracker.lease.release('elsewhere:4242:service');
  expect((await bucp('import', file)).code).toBe(0);
  expect((await ws.tracker.read()).proposals.rows).toHaveLength(3);
});

test('on a terminal, one progress line is rewritten as the import moves on; off a terminal, none', async () => {
  const { ws, bucp } = await importWorkspace();
  const file = await writeBomSemicolonCsv(ws.dir);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const wasTty = process.stderr.isTTY;
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    process.stderr.isTTY = false;
    expect((await bucp('import', file, '--dry-run')).code).toBe(0);
    expect(stderr).toEqual([]);
    process.stderr.isTTY = true;
    expect((await bucp('import', file)).code).toBe(0);
  } finally {
    process.stderr.write = write;
    process.stderr.isTTY = wasTty;
  }
  expect(stderr.join('')).toBe(
    ['read', 'planned', 'restricted content placed', 'written']
      .map((step) => `\r\x1b[KImport: 3 rows ${step}`)
      .join('') + '\n',
  );
});
