import { afterEach, expect, test } from 'vitest';
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { columnLetter } from '../../src/core/layout.ts';
import { LayoutError } from '../../src/jobs/run-cycle.job.ts';
import { SERVICE_ACCOUNT, googleWorkspace } from '../support/google.ts';
import { RecordingMailer, lineTimesByKey } from '../support/recording-mailer.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});
async function workspace() {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  return ws;
}

test('a spreadsheet not shared with the service account says which email to share it with', async () => {
  const ws = await workspace();
  ws.emulator.denyAccess(ws.tracker.spreadsheetId);
  await expect(ws.run('2026-11-23T08:00')).rejects.toThrow(
    new RegExp(`share it with ${SERVICE_ACCOUNT.replace(/\./g, '\\.')} as an Editor`),
  );
});

test('each store looks up its account email once, however many calls it makes, and its errors still name it', async () => {
  const ws = await workspace();
  ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
  let lookups = 0;
  const client = {
    ...ws.client,
    accountEmail: () => {
      lookups += 1;
      return ws.client.accountEmail();
    },
  };
  const { GoogleSheetsRestrictedStore, GoogleSheetsTrackerStore } =
    await import('../../src/stores/google-sheets-store.ts');
  const { restrictedLayout, trackerLayout } = await import('../../src/core/layout.ts');
  const restricted = new GoogleSheetsRestrictedStore({ spreadsheetId: ws.restricted.spreadsheetId, client });
  expect(await restricted.recordIds()).toEqual(new Set(['B-1']));
  await restricted.ensureLayout(restrictedLayout());
  await restricted.recordIds();
  ws.emulator.denyAccess(ws.restricted.spreadsheetId);
  await expect(restricted.recordIds()).rejects.toThrow(
    new RegExp(`share it with ${SERVICE_ACCOUNT.replace(/\./g, '\\.')} as an Editor`),
  );
  expect(lookups).toBe(1);

  lookups = 0;
  const tracker = new GoogleSheetsTrackerStore({ spreadsheetId: ws.tracker.spreadsheetId, client });
  await tracker.read();
  await tracker.ensureLayout(trackerLayout(ws.config.departments));
  await tracker.read();
  expect(lookups).toBe(1);
});

test('a missing tab or header says to run bucp init', async () => {
  const ws = await workspace();
  const id = ws.tracker.spreadsheetId;
  const issues = ws.emulator.sheet(id, 'Issues').sheetId;
  await ws.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: { requests: [{ deleteSheet: { sheetId: issues } }] },
  });
  const status = columnLetter(PROPOSAL_COLUMNS.findIndex((c) => c.header === 'Status') + 1);
  ws.emulator.editCell({ spreadsheetId: id, title: 'Proposals' }, `${status}1`, '');
  // A new store (a restarted service) sees the spreadsheet as it is now.
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const store = new GoogleSheetsTrackerStore({ spreadsheetId: id, client: ws.client });
  const snapshot = await store.read();
  expect([...snapshot.layoutProblems].sort()).toEqual(
    [
      'The "Proposals" tab lacks the column(s) "Status": run `bucp init` to add them',
      'The spreadsheet has no "Issues" tab: run `bucp init` to add it',
    ].sort(),
  );
  await expect(ws.run('2026-11-23T08:00')).rejects.toThrow(LayoutError);
});

test('serial dates, text dates, blank cells, a blank header cell and trailing empty rows all read right', async () => {
  const ws = await workspace();
  const id = ws.tracker.spreadsheetId;
  const header = ws.header('Proposals');
  const col = (h: string) => header.indexOf(h);
  const row = (fields: Record<string, string | number | null>) => header.map((h) => fields[h] ?? null);
  ws.emulator.setRows(
    { spreadsheetId: id, title: 'Proposals' },
    [
      // Typed by staff: Sheets turns these into real dates (serial numbers on an UNFORMATTED read).
      row({ 'BUCP ID': 'B-1', Stage: 'Drafting', 'Stage Entered On': '2026-11-02', 'Concept On': '10/1/2026' }),
    ],
    { startRow: 2 },
  );
  ws.emulator.setRows(
    { spreadsheetId: id, title: 'Proposals' },
    [
      // Pasted as plain text: still dates to the service.
      row({
        'BUCP ID': 'B-2',
        Stage: 'Concept',
        'Stage Entered On': '11/2/2026',
        'Concept On': '2026-10-01',
        Notes: '',
      }),
      row({}),
      row({}),
    ],
    { startRow: 3, input: 'RAW' },
  );
  // A column staff added with no header (or the tail of a merged header cell): its data is ignored.
  ws.emulator.setCell({ spreadsheetId: id, title: 'Proposals' }, 'AJ2', 'scribble');
  expect(ws.emulator.sheet(id, 'Proposals').cell(`${String.fromCharCode(65 + col('Stage Entered On'))}2`).type).toBe(
    'number',
  );
  const report = await ws.run('2026-11-23T08:00');
  expect(report.rowIssues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(report.findings.map((f) => [f.bucpId, f.stageSince, f.businessDaysInStage])).toEqual([
    ['B-1', '2026-11-02', 14], // Veterans Day (11-11) is not a business day
    ['B-2', '2026-11-02', 14],
  ]);
  expect(report.proposals.total).toBe(2);
});

test('when the cell write fails after the sends, the Activity Log still has them, and the rerun sends nothing twice', async () => {
  const ws = await workspace();
  ws.addProposals([
    {
      'BUCP ID': 'B-1',
      Stage: 'Drafting',
      'Stage Entered On': '2026-10-01',
      'Requesting Coordinator Email': 'req@dhcs.example.gov',
    },
  ]);
  ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
  const mailer = new RecordingMailer(ws.outbox);
  // The final cell write is refused outright (not a retryable fault).
  ws.emulator.failNext(1, 400, { apis: ['values.batchUpdate'] });
  await expect(ws.run('2026-11-23T08:00', mailer)).rejects.toThrow(/values\.batchUpdate failed \(400\)/);
  expect((await ws.outbox.entries()).map((e) => e.kind)).toEqual(['escalation', 'reminder']);
  // The Activity Log was written before the cells, so the failed cycle left each send on record, once.
  const escalation = 'escalation:B-1:Drafting@2026-11-23';
  const digest = 'digest:req@dhcs.example.gov:2026-11-23';
  const logged = () => lineTimesByKey(ws.lines('Activity Log'), 'notification-sent');
  expect(logged()).toEqual({ [escalation]: ['2026-11-23T08:00:00-08:00'], [digest]: ['2026-11-23T08:00:00-08:00'] });
  expect(lineTimesByKey(ws.lines('Activity Log'), 'escalation-sent')).toEqual({
    'escalation-sent:B-1:Drafting@2026-11-23': ['2026-11-23T08:00:00-08:00'],
  });
  const rerun = await ws.run('2026-11-23T09:00', mailer);
  expect(rerun.notifications).toEqual([]);
  // The rerun asked the mailer for nothing: each message was asked for once, by the failed cycle.
  expect(mailer.timesAsked()).toEqual({ [escalation]: 1, [digest]: 1 });
  expect(logged()).toEqual({ [escalation]: ['2026-11-23T08:00:00-08:00'], [digest]: ['2026-11-23T08:00:00-08:00'] });
  expect(await ws.outbox.entries()).toHaveLength(2);
  expect(rerun.findings[0]).toMatchObject({ bucpId: 'B-1', status: 'Escalated' });
});

test('a read whose answer is cut off halfway is tried again, and no row is lost or read twice', async () => {
  const ws = await workspace();
  const proposals = Array.from({ length: 400 }, (_, i) => ({
    'BUCP ID': `B-${i + 1}`,
    Stage: 'Drafting',
    'Stage Entered On': '2026-11-02',
    'Use Case Name': `Use case "${i}" [with, brackets]`,
  }));
  ws.addProposals(proposals);
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const retries: string[] = [];
  const store = new GoogleSheetsTrackerStore({
    spreadsheetId: ws.tracker.spreadsheetId,
    client: ws.client,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
    onRetry: ({ what }) => retries.push(what),
  });
  ws.emulator.failNext(1, 'cut', { apis: ['values.batchGet'] });
  const snapshot = await store.read();
  expect(ws.emulator.calls.filter((c) => c.api === 'values.batchGet').map((c) => c.fault ?? 'whole')).toEqual([
    'cut',
    'whole',
  ]);
  expect(retries).toEqual(['values.batchGet']);
  expect(snapshot.proposals.rows.map((r) => [r.cells['BUCP ID'], r.cells['Use Case Name']])).toEqual(
    proposals.map((p) => [p['BUCP ID'], p['Use Case Name']]),
  );
});

test('a read cut off inside the Activity Log is read again whole: each line is folded once', async () => {
  const ws = await workspace();
  ws.addProposals([{ 'BUCP ID': 'B-1', Stage: 'Drafting', 'Stage Entered On': '2026-11-02' }]);
  // Failed sends are counted: a line folded twice would count a failure twice.
  const failed = Array.from({ length: 2000 }, (_, i) => ({
    at: '2026-11-20T09:00:00-08:00',
    on: '2026-11-20',
    bucpId: 'B-1',
    disputeId: '',
    kind: 'notification-failed' as const,
    from: 'reminder',
    to: 'coordinator@dhcs.ca.gov',
    detail: 'temporary: 451 try later',
    key: `digest:coordinator-${i}@dhcs.ca.gov:2026-11-20`,
  }));
  await ws.tracker.write({ cells: [], appendActivity: failed });
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const { historyFromLog } = await import('../../src/core/history.ts');
  const store = new GoogleSheetsTrackerStore({
    spreadsheetId: ws.tracker.spreadsheetId,
    client: ws.client,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
  });
  const clean = historyFromLog((await store.read()).activity.rows);

  ws.emulator.failNext(1, 'cut', { apis: ['values.batchGet'] });
  const snapshot = await store.read();
  expect(ws.emulator.calls.filter((c) => c.api === 'values.batchGet').map((c) => c.fault ?? 'whole')).toEqual([
    'whole',
    'cut',
    'whole',
  ]);
  expect(snapshot.activity.rows.map((r) => r.rowNumber)).toEqual(failed.map((_f, i) => i + 2));
  const failures = historyFromLog(snapshot.activity.rows).notifications.failures;
  expect(failures.size).toBe(2000);
  expect([...failures.values()].every((f) => f.count === 1)).toBe(true);
  expect(failures).toEqual(clean.notifications.failures);
});

test('a read cut off inside the Proposals tab is read again whole: no row is parsed twice', async () => {
  const ws = await workspace();
  // Rows parsed twice would share their IDs: every one would be reported as a duplicate and invalid.
  ws.addProposals(
    Array.from({ length: 3000 }, (_, i) => ({
      'BUCP ID': `BUCP-${String(i + 1).padStart(5, '0')}`,
      'Use Case Name': `Eligibility data exchange number ${i + 1}, for the county pilot`,
      Stage: 'Drafting',
      'Stage Entered On': '2026-11-02',
    })),
  );
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const { parseTracker } = await import('../../src/core/cycle.ts');
  const store = new GoogleSheetsTrackerStore({
    spreadsheetId: ws.tracker.spreadsheetId,
    client: ws.client,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 },
  });
  const context = { config: ws.config, now: new Date('2026-11-23T16:00:00Z') };
  ws.emulator.failNext(1, 'cut', { apis: ['values.batchGet'] });
  const snapshot = await store.read();
  expect(ws.emulator.calls.filter((c) => c.api === 'values.batchGet').map((c) => c.fault ?? 'whole')).toEqual([
    'cut',
    'whole',
  ]);
  expect(snapshot.proposals.rows).toHaveLength(3000);
  const parsed = parseTracker(snapshot, context);
  expect(parsed.proposals.records).toHaveLength(3000);
  expect(parsed.proposals.records.every((p) => p.valid)).toBe(true);
  expect(parsed.proposals.issues).toEqual([]);
  expect(parsed.proposals.records.at(-1)).toMatchObject({ bucpId: 'BUCP-03000', rowNumber: 3001 });
});

test('errors of a read are translated as any other: access taken away, a tab deleted since the last read', async () => {
  const ws = await workspace();
  ws.addProposals([{ 'BUCP ID': 'B-1', Stage: 'Drafting', 'Stage Entered On': '2026-11-02' }]);
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const id = ws.tracker.spreadsheetId;
  const store = new GoogleSheetsTrackerStore({ spreadsheetId: id, client: ws.client });
  expect((await store.read()).proposals.rows).toHaveLength(1); // the store now knows the tabs

  // A tab deleted since: the batchGet names it, Google answers 400, and the store looks again once.
  const issues = ws.emulator.sheet(id, 'Issues').sheetId;
  await ws.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: { requests: [{ deleteSheet: { sheetId: issues } }] },
  });
  const again = await store.read();
  expect(again.layoutProblems).toEqual(['The spreadsheet has no "Issues" tab: run `bucp init` to add it']);
  expect(again.proposals.rows).toHaveLength(1);
  const reads = ws.emulator.calls.filter((c) => c.api === 'values.batchGet').map((c) => c.status);
  expect(reads.slice(-2)).toEqual([400, 200]);

  // Access taken away: the read's error still says whom to share the spreadsheet with.
  ws.emulator.denyAccess(id);
  await expect(store.read()).rejects.toThrow(new RegExp(`share it with ${SERVICE_ACCOUNT.replace(/\./g, '\\.')}`));
  expect(ws.emulator.calls.at(-1)).toMatchObject({ api: 'values.batchGet', status: 403 });
});

test('when staff move the BUCP ID column, the write finds it by its header and each value still lands on its own row', async () => {
  const ws = await workspace();
  ws.addProposals([
    { 'BUCP ID': 'B-1', Stage: 'Drafting', 'Stage Entered On': '2026-11-02' },
    { 'BUCP ID': 'B-2', Stage: 'Concept', 'Stage Entered On': '2026-10-01' },
  ]);
  const id = ws.tracker.spreadsheetId;
  const { GoogleSheetsTrackerStore } = await import('../../src/stores/google-sheets-store.ts');
  const store = new GoogleSheetsTrackerStore({ spreadsheetId: id, client: ws.client });
  // A column inserted before A: BUCP ID is now in column B, and every other column moves one right.
  const sheetId = ws.emulator.sheet(id, 'Proposals').sheetId;
  await ws.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: {
      requests: [{ insertDimension: { range: { sheetId, dimension: 'COLUMNS', startIndex: 0, endIndex: 1 } } }],
    },
  });
  await store.read();
  ws.emulator.resetCalls();
  const result = await store.write({
    cells: [{ tab: 'Proposals', id: 'B-2', values: { Status: { kind: 'text', value: 'Stalled' } } }],
    appendActivity: [],
  });
  expect(result).toMatchObject({ cellsWritten: 1, missingIds: [] });
  const rows = ws.emulator.sheet(id, 'Proposals').values();
  const header = rows[0]!.map(String);
  const row = rows.find((r) => r[header.indexOf('BUCP ID')] === 'B-2')!;
  expect(row[header.indexOf('Status')]).toBe('Stalled');
  expect(rows.find((r) => r[header.indexOf('BUCP ID')] === 'B-1')![header.indexOf('Status')] ?? '').toBe('');
  // The moved ID column was read in a values.batchGet of its own.
  expect(ws.emulator.calls.filter((c) => c.api === 'values.batchGet').map((c) => c.ranges)).toContainEqual([
    "'Proposals'!B:B",
  ]);
});
