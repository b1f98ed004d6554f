/**
 * Record Sent records what Plan Reminders handed over, not what a fresh plan would hand over: the
 * nodes' `execute` with a small typed stand-in for n8n's context, on a real local-workbook tracker
 * whose rows each test chooses. A day passes or staff edit the sheet between planning and recording.
 */
import ExcelJS from 'exceljs';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { afterEach, describe, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { router } from '../../src/n8n/nodes/BucpTracker/actions/router.ts';
import type { BucpContext } from '../../src/n8n/transport/index.ts';
import {
  CONTACTS,
  type Row,
  type Workspace,
  d,
  editRow,
  enteredDaysAgo,
  headerColumns,
  localTime,
  makeWorkspace,
  proposal,
  readAllRows,
} from '../support/workspace.ts';
import { UNIT_NODE } from './unit-node.ts';

const REQ = 'req@dhcs.example.gov';
const RULES = `contacts:\n  governanceLiaison: ${CONTACTS.governanceLiaison}\n`;

afterEach(() => {
  delete process.env.BUCP_NOW;
});

/** Runs one operation of the node at a local wall-clock time, as n8n would with these parameters and items. */
async function runNode(
  ws: Workspace,
  at: string,
  params: Record<string, unknown>,
  items: INodeExecutionData[] = [{ json: {} }],
): Promise<INodeExecutionData[]> {
  process.env.BUCP_NOW = localTime(at, ws.config.timezone).toISOString();
  const all: Record<string, unknown> = { store: 'xlsx', configFile: '', rules: RULES, ...params };
  const getNodeParameter = (name: string, index: number, fallback?: unknown) => {
    const value = all[name];
    return typeof value === 'function' ? (value as (i: number) => unknown)(index) : (value ?? fallback);
  };
  const log = () => {};
  const context: BucpContext = {
    getInputData: () => items,
    getNodeParameter: getNodeParameter as BucpContext['getNodeParameter'],
    getCredentials: (async () => ({
      trackerPath: ws.tracker.path,
      restrictedPath: ws.restricted.path,
    })) as BucpContext['getCredentials'],
    getNode: () => UNIT_NODE,
    logger: { info: log, warn: log, error: log, debug: log },
    getExecutionId: () => 'unit-execution',
    continueOnFail: () => false,
    getWorkflowStaticData: () => ({}) as IDataObject,
  };
  return (await router.call(context))[0]!;
}

const planReminders = (ws: Workspace, at: string) => runNode(ws, at, { operation: 'planReminders', claimMinutes: 30 });

/** Record Sent after Send Email: each output item paired with the planned item it was sent from. */
const recordSent = (ws: Workspace, at: string, planned: INodeExecutionData[], sendEmailOutput: IDataObject[]) =>
  runNode(
    ws,
    at,
    {
      operation: 'recordSent',
      plannedMessage: (i: number) => planned[i]!.json,
      messageId: (i: number) => sendEmailOutput[i]!.messageId,
    },
    sendEmailOutput.map((json, i) => ({ json, pairedItem: { item: i } })),
  );

/** The Activity Log as the tests compare it: every column as text. */
async function activityLog(ws: Workspace): Promise<Record<string, string>[]> {
  const rows = await readAllRows(ws.tracker.path, TABS.activity);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([h, v]) => [h, String(v ?? '')])));
}

/** Plays a staff member deleting a row in Excel. */
async function deleteRow(file: string, tab: string, idHeader: string, id: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab)!;
  const col = headerColumns(sheet).get(idHeader)!;
  let found = 0;
  sheet.eachRow((row, n) => {
    if (n > 1 && String(row.getCell(col).value) === id) found = n;
  });
  if (!found) throw new Error(`no row ${id} on ${tab}`);
  sheet.spliceRows(found, 1);
  await workbook.xlsx.writeFile(file);
}

/** Two proposals stalled in Drafting on `day` (18 business days in, SLA 15), both for one coordinator. */
async function twoStalled(day: string): Promise<Workspace> {
  const ws = await makeWorkspace();
  const stalled = (id: string): Row =>
    proposal(id, {
      Stage: 'Drafting',
      'Stage Entered On': enteredDaysAgo(day, 18),
      'Requesting Coordinator Email': REQ,
    });
  await ws.addProposals([stalled('B-1'), stalled('B-2')]);
  return ws;
}

/** What recording the digest sent on `day` appends: its own line, and one reminder line per proposal in it. */
const digestLines = (day: string, at: string) => [
  {
    At: at,
    On: day,
    'BUCP ID': '',
    'Dispute ID': '',
    Kind: 'notification-sent',
    From: 'reminder',
    To: REQ,
    Detail: 'Message-ID <m0@relay>',
    'Idempotency Key': `digest:${REQ}:${day}`,
    Data: '',
  },
  ...['B-1', 'B-2'].map((id) => ({
    At: at,
    On: day,
    'BUCP ID': id,
    'Dispute ID': '',
    Kind: 'reminder-sent',
    From: 'stalled',
    To: REQ,
    Detail: 'Stalled in Drafting',
    'Idempotency Key': `stalled:${id}:${REQ}:${day}`,
    Data: '',
  })),
];

describe('Record Sent records the message that was handed over', () => {
  // Monday 23 November 2026, a business day; the claim lasts 30 minutes.
  test.each([
    {
      name: 'Record Sent runs after local midnight',
      planAt: '2026-11-23T23:50',
      recordAt: '2026-11-24T00:10',
      at: '2026-11-24T00:10:00-08:00',
      replanAt: '2026-11-24T00:55',
      edit: async () => {},
    },
    {
      name: 'staff changed the coordinator in between',
      planAt: '2026-11-23T08:00',
      recordAt: '2026-11-23T08:20',
      at: '2026-11-23T08:20:00-08:00',
      replanAt: '2026-11-23T08:55',
      edit: (ws: Workspace) =>
        editRow(ws.tracker.path, TABS.proposals, 'BUCP ID', 'B-1', {
          'Requesting Coordinator Email': 'new@dhcs.example.gov',
        }),
    },
    {
      name: 'staff moved the proposal to the next stage in between',
      planAt: '2026-11-23T08:00',
      recordAt: '2026-11-23T08:20',
      at: '2026-11-23T08:20:00-08:00',
      replanAt: '2026-11-23T08:55',
      edit: (ws: Workspace) =>
        editRow(ws.tracker.path, TABS.proposals, 'BUCP ID', 'B-1', {
          Stage: 'Internal Review',
          'Stage Entered On': d('2026-11-23'),
        }),
    },
    {
      name: 'staff deleted the row in between',
      planAt: '2026-11-23T08:00',
      recordAt: '2026-11-23T08:20',
      at: '2026-11-23T08:20:00-08:00',
      replanAt: '2026-11-23T08:55',
      edit: (ws: Workspace) => deleteRow(ws.tracker.path, TABS.proposals, 'BUCP ID', 'B-1'),
    },
  ])('$name: it is recorded as sent, with the lines of the email, and not planned again', async (c) => {
    const day = '2026-11-23';
    const ws = await twoStalled(day);
    const planned = await planReminders(ws, c.planAt);
    expect(planned.map((p) => p.json.idempotencyKey)).toEqual([`digest:${REQ}:${day}`]);
    // The email that went out is about both proposals, as stalled in Drafting.
    expect(planned[0]!.json.text).toMatch(/B-1[\s\S]*B-2/);
    expect(planned[0]!.json.subject).toContain('Stalled');

    await c.edit(ws);
    const before = (await activityLog(ws)).length;
    const recorded = await recordSent(ws, c.recordAt, planned, [{ messageId: '<m0@relay>' }]);
    expect(recorded.map((r) => r.json)).toEqual([
      { idempotencyKey: `digest:${REQ}:${day}`, result: 'recorded', status: 'sent' },
    ]);
    expect((await activityLog(ws)).slice(before)).toEqual(digestLines(day, c.at));

    // Planned again once the claim has run out: the coordinator gets nothing more about these proposals.
    const again = await planReminders(ws, c.replanAt);
    expect(again.map((p) => p.json.idempotencyKey)).not.toContain(`digest:${REQ}:${day}`);
    expect(again.filter((p) => String(p.json.to).includes(REQ))).toEqual([]);
  });
});

describe('Record Sent records a Send Email failure as permanent or temporary', () => {
  test.each([
    {
      error: "Can't send mail - all recipients were rejected: 550 5.1.1 <req@dhcs.example.gov>: User unknown",
      permanent: true,
    },
    { error: 'Message failed: 5.7.1 delivery not authorized', permanent: true },
    { error: "Can't send mail - all recipients were rejected: 451 4.2.0 Mailbox busy", permanent: false },
    { error: 'connect ECONNREFUSED 127.0.0.1:587', permanent: false },
  ])('$error: permanent $permanent', async ({ error, permanent }) => {
    const day = '2026-11-23';
    const key = `digest:${REQ}:${day}`;
    const ws = await twoStalled(day);
    const planned = await planReminders(ws, `${day}T08:00`);
    const recorded = await recordSent(ws, `${day}T08:05`, planned, [{ error }]);
    expect(recorded.map((r) => r.json)).toEqual([
      { idempotencyKey: key, result: 'recorded', status: 'failed', permanent },
    ]);
    const failures = (await activityLog(ws)).filter((l) => l.Kind === 'notification-failed');
    expect(failures.map((l) => [l['Idempotency Key'], l.Detail])).toEqual([
      [key, `${permanent ? 'permanent' : 'temporary'}: ${error}`],
    ]);

    // A temporary failure is offered again at once; a permanent one waits out its backoff (30 minutes).
    const keysAt = async (time: string) =>
      (await planReminders(ws, `${day}T${time}`)).map((p) => p.json.idempotencyKey);
    expect(await keysAt('08:10')).toEqual(permanent ? [] : [key]);
    if (permanent) {
      const issues = await readAllRows(ws.tracker.path, TABS.issues);
      expect(issues.map((i) => i.Message)).toContainEqual(expect.stringMatching(/was refused .*next try after/));
      expect(await keysAt('08:36')).toEqual([key]);
    }
  });
});
