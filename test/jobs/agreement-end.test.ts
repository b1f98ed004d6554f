import ExcelJS from 'exceljs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, test } from 'vitest';
import { type ConfigInput, parseConfig } from '../../src/core/config.ts';
import { PROPOSAL_COLUMNS, TABS } from '../../src/core/contract.ts';
import type { RestrictedStore, TrackerStore } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { LayoutError, runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import { airtableWorkspace } from '../support/airtable.ts';
import { googleRig } from '../support/google.ts';
import { mailerOnRelay } from '../support/smtp-server.ts';
import { CONTACTS, type Row, d, headerColumns, localTime, proposal, readRows } from '../support/workspace.ts';

// The agreement end and the Governance Liaison's notices, end to end: real stores, a real SMTP relay
// with parsed mail, cycle after cycle over simulated days. Each store is a rig: one more store is one
// more line in RIGS.

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The columns this feature added: an older tracker lacks them until `bucp init`. */
const NEW_COLUMNS = ['Data Disposition', 'Disposition On', 'Term Status'];
const STAFF_HEADERS = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);

/** A tracker and restricted store on one kind of store, made by the real init job. */
interface StoreRig {
  readonly store: TrackerStore;
  readonly restricted: RestrictedStore;
  readonly storeConfig: ConfigInput['store'];
  addProposals(rows: readonly Row[]): Promise<void>;
  addRestricted(rows: readonly Row[]): Promise<void>;
  /** The Proposals tab's cells as the store holds them, by BUCP ID and header, read around the service. */
  proposalCells(): Promise<Record<string, Record<string, unknown>>>;
  /** Plays an older tracker: removes these columns from the Proposals tab, data and all. */
  dropColumns(headers: readonly string[]): Promise<void>;
}

const xlsxRig = async (): Promise<StoreRig> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-term-'));
  const trackerPath = path.join(dir, 'tracker.xlsx');
  const restrictedPath = path.join(dir, 'restricted.xlsx');
  return {
    store: new XlsxTrackerStore({ path: trackerPath }),
    restricted: new XlsxRestrictedStore(restrictedPath),
    storeConfig: { kind: 'xlsx', path: trackerPath, restrictedPath },
    addProposals: (rows) => appendRowsByHeader(trackerPath, TABS.proposals, rows),
    addRestricted: (rows) => appendRowsByHeader(restrictedPath, TABS.restricted, rows),
    proposalCells: async () => Object.fromEntries(await readRows(trackerPath, TABS.proposals, 'BUCP ID')),
    dropColumns: async (headers) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(trackerPath);
      const sheet = workbook.getWorksheet(TABS.proposals)!;
      const columns = headerColumns(sheet);
      for (const col of headers.map((h) => columns.get(h)!).sort((a, b) => b - a)) sheet.spliceColumns(col, 1);
      await workbook.xlsx.writeFile(trackerPath);
    },
  };
};

const googleSheetsRig = async (): Promise<StoreRig> => {
  const rig = await googleRig();
  closers.push(() => rig.stop());
  const trackerId = rig.tracker.spreadsheetId;
  const staffText = (value: Row[string] | undefined) =>
    value instanceof Date ? value.toISOString().slice(0, 10) : (value ?? null);
  const addRows = (spreadsheetId: string, tab: string, rows: readonly Row[]) => {
    const sheet = rig.emulator.sheet(spreadsheetId, tab);
    const names = (sheet.values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
    rig.emulator.setRows(
      { spreadsheetId, title: tab },
      rows.map((row) => names.map((h) => staffText(row[h]))),
      { startRow: sheet.lastRow + 1, input: 'USER_ENTERED' },
    );
  };
  return {
    store: rig.tracker,
    restricted: rig.restricted,
    storeConfig: {
      kind: 'google-sheets',
      spreadsheetId: trackerId,
      restrictedSpreadsheetId: rig.restricted.spreadsheetId,
      rootUrl: rig.rootUrl,
    },
    addProposals: async (rows) => addRows(trackerId, TABS.proposals, rows),
    addRestricted: async (rows) => addRows(rig.restricted.spreadsheetId, TABS.restricted, rows),
    proposalCells: async () => {
      const [names = [], ...rows] = rig.emulator
        .sheet(trackerId, TABS.proposals)
        .values({ render: 'UNFORMATTED_VALUE' });
      const records = rows.map((row) => Object.fromEntries(names.map((h, i) => [String(h), row[i] ?? null])));
      return Object.fromEntries(records.map((r) => [String(r['BUCP ID']), r]));
    },
    dropColumns: async (headers) => {
      const sheet = rig.emulator.sheet(trackerId, TABS.proposals);
      const names = (sheet.values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
      const requests = headers
        .map((h) => names.indexOf(h))
        .sort((a, b) => b - a)
        .map((i) => ({
          deleteDimension: { range: { sheetId: sheet.sheetId, dimension: 'COLUMNS', startIndex: i, endIndex: i + 1 } },
        }));
      await rig.client.api.spreadsheets.batchUpdate({ spreadsheetId: trackerId, requestBody: { requests } });
    },
  };
};

const airtableRig = async (): Promise<StoreRig> => {
  const ws = await airtableWorkspace();
  closers.push(() => ws.stop());
  return {
    store: ws.tracker,
    restricted: ws.restricted,
    storeConfig: {
      kind: 'airtable',
      baseId: ws.trackerBaseId,
      restrictedBaseId: ws.restrictedBaseId,
      endpointUrl: ws.endpointUrl,
    },
    addProposals: async (rows) => ws.addProposals(rows),
    addRestricted: async (rows) => ws.addRestricted(rows),
    // A record lists only its non-empty fields: an absent one reads as blank.
    proposalCells: async () =>
      Object.fromEntries(ws.records(TABS.proposals).map((r) => [String(r.fields['BUCP ID']), r.fields])),
    // Deleting a field is one of the Metadata API calls Airtable does not offer: staff do it in the UI.
    dropColumns: async (headers) => {
      for (const header of headers) ws.emulator.deleteField(ws.trackerBaseId, TABS.proposals, header);
    },
  };
};

const RIGS: readonly { readonly name: string; readonly open: () => Promise<StoreRig> }[] = [
  { name: 'local workbook', open: xlsxRig },
  { name: 'Google Sheets', open: googleSheetsRig },
  { name: 'Airtable base', open: airtableRig },
];

const REQ = 'req@dhcs.example.gov';
const PROV = 'prov@cdph.example.gov';
const LIAISON = CONTACTS.governanceLiaison;

/** What the relay received: each message's key, envelope recipients, and parsed subject and text. */
interface Received {
  readonly key: string;
  readonly rcpt: string[];
  readonly cc: string;
  readonly subject: string;
  readonly text: string;
}

async function relay() {
  const received: Received[] = [];
  const { mailer, close } = await mailerOnRelay({
    onData(stream, session, callback) {
      const rcpt = session.envelope.rcptTo.map((r) => r.address).sort();
      simpleParser(stream)
        .then((mail) => {
          received.push({
            key: String(mail.headers.get('x-bucp-idempotency-key') ?? ''),
            rcpt,
            cc: mail.cc
              ? [mail.cc]
                  .flat()
                  .map((a) => a.text)
                  .join(', ')
              : '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  closers.push(close);
  return { mailer, received };
}

/** The proposals of the story, each exercising one rule; the dates are staff's, typed once and never edited. */
const PROPOSALS: readonly Row[] = [
  // The 90-day renewal point is Thursday 2026-12-31.
  proposal('E-1', { Stage: 'Active', 'Stage Entered On': d('2026-06-01'), 'End Date': d('2027-03-31') }),
  // Ended 12-10: the recipient is reminded on the 11th, the liaison gets the escalation on the 21st (11 days).
  proposal('E-2', { Stage: 'Closed', 'Stage Entered On': d('2026-11-02'), 'End Date': d('2026-12-10') }),
  // Submitted: one notice to the liaison on the first cycle.
  proposal('E-3', { Stage: 'Provider Review', 'Stage Entered On': d('2026-12-09'), 'Submitted On': d('2026-12-09') }),
  // Approved 12-09, not filed: the providing coordinator is reminded on 12-17, again on 12-24.
  proposal('E-4', { Stage: 'Signatures', 'Stage Entered On': d('2026-12-09'), 'Approved On': d('2026-12-09') }),
  // Inside the 90-day window on the first cycle, and its 30-day point is 12-31 too: one digest, two lines.
  proposal('E-5', { Stage: 'Active', 'Stage Entered On': d('2026-06-01'), 'End Date': d('2027-01-30') }),
];

const CONFIG = {
  contacts: CONTACTS,
  // Stage reminders have their own tests: here only the agreement end and the notices speak.
  slas: { 'Provider Review': null, Signatures: null },
  notices: { submitted: true, filing: true },
};

async function openTracker(rig: StoreRig, overrides: Partial<ConfigInput> = {}) {
  const parsed = parseConfig({
    store: rig.storeConfig,
    mail: { kind: 'outbox', dir: 'unused' },
    ...CONFIG,
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  await runInit({ config, store: rig.store, restricted: rig.restricted });
  const templates = await MailTemplates.load();
  const logger = createLogger({ level: 'silent' });
  const { mailer, received } = await relay();
  const run = (now: string) =>
    runCycle(
      { config, store: rig.store, restricted: rig.restricted, mailer, templates, logger },
      { now: localTime(now, config.timezone) },
    );
  return { config, run, received };
}

describe.each(RIGS)('agreement end and the liaison notices on the $name', ({ open }) => {
  test('over three weeks: each reminder, escalation and notice once, one digest per person per day, staff cells untouched', async () => {
    const rig = await open();
    const { run, received } = await openTracker(rig);
    await rig.addProposals(PROPOSALS);
    await rig.addRestricted(PROPOSALS.map((p) => ({ 'BUCP ID': p['BUCP ID']! })));
    const staffBefore = staffCells(await rig.proposalCells());

    const days = [
      '2026-12-10',
      '2026-12-11',
      '2026-12-11', // a rerun the same day
      '2026-12-12', // Saturday
      '2026-12-14',
      '2026-12-17',
      '2026-12-21',
      '2026-12-24',
      '2026-12-25', // Christmas
      '2026-12-31',
      '2026-12-31', // a rerun the same day
    ];
    const byDay: [string, string[]][] = [];
    for (const day of days) {
      const before = received.length;
      const report = await run(`${day}T08:00`);
      expect(report.failures, day).toEqual([]);
      byDay.push([
        day,
        received
          .slice(before)
          .map((m) => `${m.key} → ${m.rcpt.join(' ')}`)
          .sort(),
      ]);
    }
    expect(byDay).toEqual([
      [
        '2026-12-10',
        [
          `digest:${PROV}:2026-12-10 → ${PROV}`,
          `digest:${REQ}:2026-12-10 → ${REQ}`,
          `liaison-submitted:E-3 → ${LIAISON} ${REQ}`,
        ],
      ],
      ['2026-12-11', [`digest:${REQ}:2026-12-11 → ${REQ}`]],
      ['2026-12-11', []],
      ['2026-12-12', []],
      ['2026-12-14', []],
      ['2026-12-17', [`digest:${PROV}:2026-12-17 → ${PROV}`]],
      ['2026-12-21', [`disposition-escalation:E-2:2026-12-10 → ${LIAISON} ${PROV} ${REQ}`]],
      ['2026-12-24', [`digest:${PROV}:2026-12-24 → ${PROV}`]],
      ['2026-12-25', []],
      ['2026-12-31', [`digest:${PROV}:2026-12-31 → ${PROV}`, `digest:${REQ}:2026-12-31 → ${REQ}`]],
      ['2026-12-31', []],
    ]);
    // Exactly once: no key twice.
    const keys = received.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);

    const mail = (key: string) => received.find((m) => m.key === key)!;
    expect(mail(`digest:${REQ}:2026-12-10`).text).toMatch(/Agreement Ending \(1\)[\s\S]*E-5[\s\S]*90-day notice/);
    expect(mail(`digest:${REQ}:2026-12-11`).text).toMatch(/Disposition Due \(1\)[\s\S]*E-2[\s\S]*ended on 2026-12-10/);
    expect(mail(`digest:${PROV}:2026-12-17`).text).toMatch(/Filing Due \(1\)[\s\S]*E-4[\s\S]*Governance Liaison/);
    const yearEnd = mail(`digest:${REQ}:2026-12-31`).text;
    expect(yearEnd).toMatch(/Agreement Ending \(2\)/);
    expect(yearEnd).toMatch(/E-1[\s\S]*90-day notice/);
    expect(yearEnd).toMatch(/E-5[\s\S]*30-day notice/);
    const notice = mail('liaison-submitted:E-3');
    expect(notice.subject).toBe('BUCP submitted for review: E-3 Use case E-3');
    expect(notice.cc).toBe(REQ);
    for (const expected of ['E-3', 'DHCS', 'CDPH', REQ, PROV]) expect(notice.text).toContain(expected);
    const escalation = mail('disposition-escalation:E-2:2026-12-10');
    expect(escalation.subject).toMatch(/^Disposition overdue: E-2 ended 2026-12-10/);
    expect(escalation.cc).toBe(`${REQ}, ${PROV}`);

    const after = await rig.proposalCells();
    expect(staffCells(after)).toEqual(staffBefore);
    expect(
      Object.fromEntries(Object.entries(after).map(([id, cells]) => [id, comparable(cells['Term Status'])])),
    ).toEqual({
      'E-1': 'Ending Soon',
      'E-2': 'Disposition Overdue',
      'E-3': null,
      'E-4': null,
      'E-5': 'Ending Soon',
    });
  });

  test('bucp init on an older tracker adds the new columns and leaves staff data as it was', async () => {
    const rig = await open();
    const { config } = await openTracker(rig);
    await rig.addProposals(PROPOSALS);
    await rig.dropColumns(NEW_COLUMNS);
    const before = staffCells(await rig.proposalCells(), NEW_COLUMNS);
    expect(Object.keys(Object.values(await rig.proposalCells())[0]!)).not.toContain('Term Status');

    const run = () =>
      runCycle(
        {
          config,
          store: rig.store,
          restricted: rig.restricted,
          // A tracker that is not ready stops at the read: nothing is rendered or sent.
          mailer: undefined as never,
          templates: undefined as never,
          logger: createLogger({ level: 'silent' }),
        },
        { now: localTime('2026-12-10T08:00') },
      );
    await expect(run()).rejects.toThrow(LayoutError);
    const report = await runInit({ config, store: rig.store, restricted: rig.restricted });
    expect(report.tracker.repaired.join('; ')).toMatch(/"Data Disposition"[\s\S]*"Disposition On"[\s\S]*"Term Status"/);
    const upgraded = await rig.proposalCells();
    expect(staffCells(upgraded, NEW_COLUMNS)).toEqual(before);
    for (const cells of Object.values(upgraded)) {
      for (const header of NEW_COLUMNS) expect(comparable(cells[header])).toBeNull();
    }
  });
});

/** A cell as comparable data: a date as its ISO text, and blank as null (Sheets gives "" inside a row, nothing at its end). */
function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === undefined || value === '' ? null : value;
}

/** The staff cells of each row, less the headers given, as comparable values. */
function staffCells(
  rows: Record<string, Record<string, unknown>>,
  without: readonly string[] = [],
): Record<string, Record<string, unknown>> {
  const headers = STAFF_HEADERS.filter((h) => !without.includes(h));
  return Object.fromEntries(
    Object.entries(rows).map(([id, cells]) => [id, Object.fromEntries(headers.map((h) => [h, comparable(cells[h])]))]),
  );
}
