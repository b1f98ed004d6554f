import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type ImportOptions, runImport } from '../../src/jobs/import.job.ts';
import { googleWorkspace } from '../support/google.ts';
import { CANARY, MESSY_MAP_YAML, writeMessyWorkbook } from '../fixtures/import-trackers.ts';

const rigs: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

async function rig() {
  const ws = await googleWorkspace();
  rigs.push(ws);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-import-'));
  const importFile = (options: Omit<ImportOptions, 'dryRun' | 'overwrite'> & { overwrite?: boolean }) =>
    runImport(
      { config: ws.config, store: ws.tracker, restricted: ws.restricted },
      { dryRun: false, overwrite: false, ...options },
    );
  /** The calls the emulator saw while `work` ran, by API, as `api spreadsheet-kind` keys. */
  const callsDuring = async (work: () => Promise<unknown>) => {
    ws.emulator.calls.length = 0;
    await work();
    const counts: Record<string, number> = {};
    for (const c of ws.emulator.calls) {
      // The import's lease lives on the Lease tab: counted apart from the tracker's data.
      const lease = (c.ranges ?? []).some((r) => r.includes('Lease'));
      const which = lease ? 'lease' : c.spreadsheetId === ws.tracker.spreadsheetId ? 'tracker' : 'restricted';
      const key = `${c.api} ${which}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  return { ws, dir, importFile, callsDuring };
}

async function csvWithRows(dir: string, name: string, count: number): Promise<string> {
  const header = 'BUCP ID,Use Case Name,Requesting Department,Stage,Stage Entered On,Known Risks';
  const lines = Array.from(
    { length: count },
    (_, i) => `G-${i + 1},Case ${i + 1},DHCS,Drafting,11/2/2026,${i % 2 === 0 ? `${CANARY} ${i}` : ''}`,
  );
  const file = path.join(dir, name);
  await writeFile(file, [header, ...lines].join('\n'));
  return file;
}

test('Google Sheets: the same calls for 5 rows as for 2,000 (one values.append per tab), and a second import writes nothing', async () => {
  const big = await rig();
  const calls = async (r: Awaited<ReturnType<typeof rig>>, rows: number) => {
    const file = await csvWithRows(r.dir, `rows-${rows}.csv`, rows);
    return r.callsDuring(() => r.importFile({ file }));
  };
  const five = await calls(await rig(), 5);
  const many = await calls(big, 2000);
  expect(many).toEqual(five);
  expect(many['values.append tracker']).toBe(1);
  expect(many['values.append restricted']).toBe(1);
  expect(many['values.batchUpdate tracker'] ?? 0).toBe(0);
  expect(big.ws.lines('Proposals')).toHaveLength(2000);

  // Again: everything is there, so nothing is appended or updated.
  const again = await big.callsDuring(() => big.importFile({ file: path.join(big.dir, 'rows-2000.csv') }));
  expect(
    Object.keys(again).filter((k) => /append|values\.batchUpdate|values\.update/.test(k) && !/lease/.test(k)),
  ).toEqual([]);
}, 120_000);

test('Google Sheets: the messy workbook round trip, fills and conflicts in one batchUpdate, restricted content only in the restricted spreadsheet', async () => {
  const { ws, dir, importFile, callsDuring } = await rig();
  const file = await writeMessyWorkbook(dir);
  const mapFile = path.join(dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);
  const report = await importFile({ file, mapFile });
  expect(report.written).toEqual({ rowsAdded: 6, cellsFilled: 0, missingIds: [] });

  // The rows landed in the template's formatted rows: a date shows as a date to staff.
  const shown = ws.emulator.sheet(ws.tracker.spreadsheetId, 'Proposals').values();
  const entered = ws.header('Proposals').indexOf('Stage Entered On');
  expect(shown[1]![0]).toBe('DHCS-001');
  expect(String(shown[1]![entered])).toMatch(/^\d{4}-\d{2}-\d{2}$/);

  const cycle = await ws.run('2026-11-23T08:00');
  const status = Object.fromEntries(ws.lines('Proposals').map((r) => [r['BUCP ID'], r.Status || null]));
  expect(status).toEqual({
    'DHCS-001': 'On Track',
    'DHCS-002': 'Due Soon',
    'DHCS-003': 'Stalled',
    'DHCS-004': 'Escalated',
    'DHCS-005': 'Closed',
    'DHCS-006': null,
  });
  expect(cycle.rowIssues.filter((i) => i.severity === 'error').map((i) => [i.id, i.column])).toEqual([
    ['DHCS-006', 'Submitted On'],
  ]);
  expect(cycle.metrics.proposals).toEqual({ total: 6, valid: 5, invalid: 1 });

  const tracker = JSON.stringify(
    ws.emulator.sheet(ws.tracker.spreadsheetId, 'Proposals').values({ render: 'UNFORMATTED_VALUE' }),
  );
  expect(tracker.includes(CANARY)).toBe(false);
  const secret = JSON.stringify(
    ws.emulator.sheet(ws.restricted.spreadsheetId, 'Restricted').values({ render: 'UNFORMATTED_VALUE' }),
  );
  expect(secret.includes(CANARY)).toBe(true);

  // A staff edit on the sheet becomes a conflict, applied with --overwrite in one batchUpdate.
  const sheet = ws.emulator.sheet(ws.tracker.spreadsheetId, 'Proposals');
  const grid = sheet.values({ render: 'UNFORMATTED_VALUE' });
  const rowIndex = grid.findIndex((r) => r[0] === 'DHCS-001');
  const edited = [...grid[rowIndex]!];
  edited[ws.header('Proposals').indexOf('Use Case Name')] = 'Renamed by staff';
  sheet.setRows([edited], { startRow: rowIndex + 1, input: 'RAW' });
  const emptiedIndex = grid.findIndex((r) => r[0] === 'DHCS-002');
  const emptied = [...grid[emptiedIndex]!];
  emptied[ws.header('Proposals').indexOf('Sponsor Email')] = '';
  sheet.setRows([emptied], { startRow: emptiedIndex + 1, input: 'RAW' });
  const kept = await importFile({ file, mapFile });
  expect(kept.conflicts.map((c) => [c.id, c.column, c.existing])).toEqual([
    ['DHCS-001', 'Use Case Name', 'Renamed by staff'],
  ]);
  expect(kept.rows.fill).toEqual([{ id: 'DHCS-002', columns: ['Sponsor Email'] }]);
  expect(ws.lines('Proposals').find((r) => r['BUCP ID'] === 'DHCS-002')!['Sponsor Email']).toBe(
    'sponsor@dhcs.example.gov',
  );
  expect(ws.lines('Proposals').find((r) => r['BUCP ID'] === 'DHCS-001')!['Use Case Name']).toBe('Renamed by staff');
  const calls = await callsDuring(() => importFile({ file, mapFile, overwrite: true }));
  expect(calls['values.batchUpdate tracker']).toBe(1);
  expect(calls['values.append tracker'] ?? 0).toBe(0);
  expect(ws.lines('Proposals').find((r) => r['BUCP ID'] === 'DHCS-001')!['Use Case Name']).toBe('Eligibility linkage');
}, 60_000);
