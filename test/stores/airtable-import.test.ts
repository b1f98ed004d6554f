import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type ImportOptions, runImport } from '../../src/jobs/import.job.ts';
import { formatImportReport } from '../../src/import/format-report.ts';
import { airtableWorkspace } from '../support/airtable.ts';
import { CANARY, MESSY_MAP_YAML, writeMessyWorkbook } from '../fixtures/import-trackers.ts';

const rigs: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

async function rig() {
  const ws = await airtableWorkspace({ emulator: { recordBodies: true } });
  rigs.push(ws);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-airtable-import-'));
  const importFile = (options: Omit<ImportOptions, 'dryRun' | 'overwrite'> & { overwrite?: boolean }) =>
    runImport(
      { config: ws.config, store: ws.tracker, restricted: ws.restricted },
      { dryRun: false, overwrite: false, ...options },
    );
  const tableId = (baseId: string, name: string) => (ws.emulator.tableSchema(baseId, name) as { id: string }).id;
  const proposals = tableId(ws.trackerBaseId, 'Proposals');
  const restricted = tableId(ws.restrictedBaseId, 'Restricted');
  /** The record writes the emulator saw while `work` ran, as `api table` keys; the lease's are apart. */
  const writesDuring = async (work: () => Promise<unknown>) => {
    ws.emulator.resetCalls();
    await work();
    const counts: Record<string, number> = {};
    for (const c of ws.emulator.calls.filter((call) => call.kind === 'write')) {
      const table = c.tableId === proposals ? 'Proposals' : c.tableId === restricted ? 'Restricted' : (c.table ?? '?');
      const key = `${c.api} ${table}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  const fields = (id: string) => ws.records('Proposals').find((r) => r.fields['BUCP ID'] === id)!.fields;
  return { ws, dir, importFile, writesDuring, fields };
}

async function csvWithRows(dir: string, count: number): Promise<string> {
  const header = 'BUCP ID,Use Case Name,Requesting Department,Stage,Stage Entered On,Known Risks';
  const lines = Array.from(
    { length: count },
    (_, i) => `A-${i + 1},Case ${i + 1},DHCS,Drafting,11/2/2026,${i % 2 === 0 ? `${CANARY} ${i}` : ''}`,
  );
  const file = path.join(dir, `rows-${count}.csv`);
  await writeFile(file, [header, ...lines].join('\n'));
  return file;
}

test('Airtable: ⌈rows/10⌉ creates, paced with no 429, restricted content only in the restricted base, and a second import writes nothing', async () => {
  const { ws, dir, importFile, writesDuring } = await rig();
  const rows = 95;
  const file = await csvWithRows(dir, rows);
  // A dry run reads and plans, and writes nothing at all (not even a lease).
  const preview = await writesDuring(() =>
    runImport(
      { config: ws.config, store: ws.tracker, restricted: ws.restricted },
      { file, dryRun: true, overwrite: false },
    ),
  );
  expect(preview).toEqual({});
  const writes = await writesDuring(() => importFile({ file }));
  expect(ws.emulator.stats.rateLimited).toBe(0);
  expect(writes['records.create Proposals']).toBe(Math.ceil(rows / 10));
  expect(writes['records.create Restricted']).toBe(Math.ceil(Math.ceil(rows / 2) / 10));
  expect(writes['records.update Proposals'] ?? 0).toBe(0);
  // Every create carried 10 records but the last.
  const proposalsId = (ws.emulator.tableSchema(ws.trackerBaseId, 'Proposals') as { id: string }).id;
  const creates = ws.emulator.calls.filter((c) => c.api === 'records.create' && c.tableId === proposalsId);
  expect(creates.map((c) => c.records).filter((n) => n !== 10)).toEqual([rows % 10]);
  expect(ws.records('Proposals')).toHaveLength(rows);
  expect(JSON.stringify(ws.records('Proposals')).includes(CANARY)).toBe(false);
  expect(ws.emulator.records(ws.restrictedBaseId, 'Restricted')).toHaveLength(Math.ceil(rows / 2));
  expect(JSON.stringify(ws.emulator.records(ws.restrictedBaseId, 'Restricted')).includes(CANARY)).toBe(true);

  // Again: everything is there, so nothing is created or updated (only the import's lease writes).
  const again = await writesDuring(() => importFile({ file }));
  expect(Object.keys(again).filter((k) => /Proposals|Restricted/.test(k))).toEqual([]);
  expect(ws.emulator.stats.rateLimited).toBe(0);
}, 60_000);

test('Airtable: the messy workbook round trip; a value a date field cannot hold is left empty and reported; fills and conflicts PATCHed, 10 a call', async () => {
  const { ws, dir, importFile, writesDuring, fields } = await rig();
  const file = await writeMessyWorkbook(dir);
  const mapFile = path.join(dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);
  const report = await importFile({ file, mapFile });
  // Submitted On "TBD" stays text in a workbook; an Airtable date field refuses it, so the cell stays empty.
  expect(report.written).toEqual({
    rowsAdded: 6,
    cellsFilled: 0,
    missingIds: [],
    refused: [{ id: 'DHCS-006', column: 'Submitted On', reason: expect.stringContaining('"TBD" is not a date') }],
  });
  expect(formatImportReport(report)).toContain('DHCS-006 Submitted On: "TBD" is not a date');
  expect(fields('DHCS-006')['Submitted On']).toBeUndefined();
  expect(fields('DHCS-002')['Stage']).toBe('Internal Review');
  expect(fields('DHCS-001')['Requesting Coordinator Email']).toBe('maria.lopez@dhcs.example.gov');

  const cycle = await ws.run('2026-11-23T08:00');
  const status = Object.fromEntries(ws.records('Proposals').map((r) => [r.fields['BUCP ID'], r.fields.Status]));
  expect(status).toEqual({
    'DHCS-001': 'On Track',
    'DHCS-002': 'Due Soon',
    'DHCS-003': 'Stalled',
    'DHCS-004': 'Escalated',
    'DHCS-005': 'Closed',
    'DHCS-006': 'On Track',
  });
  expect(cycle.rowIssues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(cycle.metrics.proposals).toEqual({ total: 6, valid: 6, invalid: 0 });
  expect(JSON.stringify(ws.records('Proposals')).includes(CANARY)).toBe(false);
  expect(JSON.stringify(ws.emulator.records(ws.restrictedBaseId, 'Restricted')).includes(CANARY)).toBe(true);

  // A staff edit becomes a conflict, kept; an emptied cell is filled; --overwrite applies the conflict.
  const record = (id: string) => ws.records('Proposals').find((r) => r.fields['BUCP ID'] === id)!.id;
  ws.emulator.editRecord(ws.trackerBaseId, 'Proposals', record('DHCS-001'), { 'Use Case Name': 'Renamed by staff' });
  ws.emulator.editRecord(ws.trackerBaseId, 'Proposals', record('DHCS-002'), { 'Sponsor Email': null });
  const kept = await importFile({ file, mapFile });
  expect(kept.conflicts.map((c) => [c.id, c.column, c.existing])).toEqual([
    ['DHCS-001', 'Use Case Name', 'Renamed by staff'],
  ]);
  expect(kept.rows.fill).toEqual(expect.arrayContaining([{ id: 'DHCS-002', columns: ['Sponsor Email'] }]));
  expect(fields('DHCS-002')['Sponsor Email']).toBe('sponsor@dhcs.example.gov');
  expect(fields('DHCS-001')['Use Case Name']).toBe('Renamed by staff');
  const writes = await writesDuring(() => importFile({ file, mapFile, overwrite: true }));
  expect(writes['records.update Proposals']).toBe(1);
  expect(writes['records.create Proposals'] ?? 0).toBe(0);
  expect(fields('DHCS-001')['Use Case Name']).toBe('Eligibility linkage');
  expect(ws.emulator.stats.rateLimited).toBe(0);
}, 60_000);

test('Airtable: fills of 25 records go in ⌈25/10⌉ PATCHes', async () => {
  const { ws, dir, importFile, writesDuring } = await rig();
  const header = 'BUCP ID,Use Case Name,Sponsor Email';
  const first = path.join(dir, 'first.csv');
  await writeFile(first, [header, ...Array.from({ length: 25 }, (_, i) => `F-${i + 1},Case ${i + 1},`)].join('\n'));
  await importFile({ file: first });
  const second = path.join(dir, 'second.csv');
  await writeFile(
    second,
    [header, ...Array.from({ length: 25 }, (_, i) => `F-${i + 1},Case ${i + 1},s${i}@dhcs.example.gov`)].join('\n'),
  );
  const writes = await writesDuring(() => importFile({ file: second }));
  expect(writes).toMatchObject({ 'records.update Proposals': 3 });
  expect(writes['records.create Proposals'] ?? 0).toBe(0);
  expect(ws.emulator.stats.rateLimited).toBe(0);
  expect(ws.records('Proposals').filter((r) => r.fields['Sponsor Email'])).toHaveLength(25);
}, 60_000);
