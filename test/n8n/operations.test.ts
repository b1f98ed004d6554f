/**
 * Each BUCP Tracker operation's `execute`, and the trigger's poll, called with a small typed
 * stand-in for n8n's context, against a real local-workbook tracker.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { beforeEach, describe, expect, test } from 'vitest';
import { OPERATIONS, router } from '../../src/n8n/nodes/BucpTracker/actions/router.ts';
import { pollTracker } from '../../src/n8n/nodes/BucpTrigger/BucpTrigger.node.ts';
import {
  type BucpContext,
  type BucpPollContext,
  LeaseBusyError,
  openTracker,
  underLease,
  executeSource,
} from '../../src/n8n/transport/index.ts';
import { generateKeyPairSync } from 'node:crypto';
import { calendarFor } from '../../src/core/cycle.ts';
import { sampleData } from '../../src/demo/sample-data.ts';
import { dumpWorkbook } from '../support/dump.ts';
import { SERVICE_ACCOUNT, googleWorkspace } from '../support/google.ts';
import { editRow, readAllRows } from '../support/workspace.ts';
import { CANARY, seedAirtableTracker, seedTracker, withCanary } from './seed.ts';
import { UNIT_NODE } from './unit-node.ts';

const NOW = '2026-11-20T17:00:00Z';
const RULES =
  'contacts:\n  governanceLiaison: gl@example.gov\n  disputeLevels:\n    Risk Management Subcommittee: rms@example.gov\n';

interface Rig {
  readonly dir: string;
  readonly logs: string[];
  context(
    params: Record<string, unknown>,
    options?: { items?: INodeExecutionData[]; continueOnFail?: boolean; credentials?: Record<string, IDataObject> },
  ): BucpContext;
  staticData: IDataObject;
}

async function rig(): Promise<Rig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-unit-'));
  const paths = await seedTracker(dir, new Date(NOW));
  const logs: string[] = [];
  const log = (message: string, meta?: object) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`);
  const staticData: IDataObject = {};
  return {
    dir,
    logs,
    staticData,
    context(params, options = {}) {
      const all: Record<string, unknown> = { store: 'xlsx', configFile: '', rules: RULES, ...params };
      const getNodeParameter = (name: string, index: number, fallback?: unknown) => {
        const value = all[name];
        if (typeof value === 'function') return (value as (i: number) => unknown)(index);
        return value ?? fallback;
      };
      return {
        getInputData: () => options.items ?? [{ json: {} }],
        getNodeParameter: getNodeParameter as BucpContext['getNodeParameter'],
        getCredentials: (async (type: string) => {
          const credentials: Record<string, IDataObject> = {
            bucpWorkbookApi: { trackerPath: paths.tracker, restrictedPath: paths.restricted },
            ...options.credentials,
          };
          if (!credentials[type]) throw new Error(`no ${type} credential`);
          return credentials[type];
        }) as BucpContext['getCredentials'],
        getNode: () => UNIT_NODE,
        logger: { info: log, warn: log, error: log, debug: log },
        getExecutionId: () => 'unit-execution',
        continueOnFail: () => options.continueOnFail ?? false,
        getWorkflowStaticData: () => staticData,
      };
    },
  };
}

const run = async (context: BucpContext) => (await router.call(context))[0]!;

let r: Rig;
beforeEach(async () => {
  process.env.BUCP_NOW = NOW;
  r = await rig();
});

describe('BUCP Tracker operations', () => {
  test('Get Proposals: every row, validated, with its row issues', async () => {
    const items = await run(r.context({ operation: 'getProposals' }));
    expect(items).toHaveLength(73);
    expect(items.filter((i) => i.json.bucpId === null)).toEqual([
      expect.objectContaining({
        json: expect.objectContaining({ valid: false, rowIssues: [expect.objectContaining({ column: 'BUCP ID' })] }),
      }),
    ]);
    expect(items[0]!.json).toMatchObject({ bucpId: expect.stringMatching(/^BUCP-/), stage: expect.any(String) });
    expect(items.every((i) => Array.isArray(i.json.rowIssues))).toBe(true);
    const first = await run(r.context({ operation: 'getProposals', returnAll: false, limit: 5 }));
    expect(first.map((i) => i.json.bucpId)).toEqual(items.slice(0, 5).map((i) => i.json.bucpId));
  });

  test('Find Stalled: only Due Soon, Stalled and Escalated, with business days', async () => {
    const items = await run(r.context({ operation: 'findStalled', includeDueSoon: false }));
    expect(items.length).toBeGreaterThan(0);
    for (const { json } of items) {
      expect(['Stalled', 'Escalated']).toContain(json.status);
      expect(json.businessDaysInStage).toBeGreaterThanOrEqual(json.slaDays as number);
    }
  });

  test('Plan Reminders claims its messages; Record Sent records them once', async () => {
    const planned = await run(r.context({ operation: 'planReminders', claimMinutes: 30 }));
    expect(planned.length).toBeGreaterThan(0);
    expect(planned[0]!.json).toMatchObject({ idempotencyKey: expect.any(String), subject: expect.any(String) });
    // Each item carries what Record Sent records: its own key and address, and the lines its sending adds.
    for (const { json } of planned) {
      expect(json.record).toMatchObject({
        idempotencyKey: json.idempotencyKey,
        subject: json.subject,
        on: '2026-11-20',
        onSent: expect.arrayContaining([expect.objectContaining({ on: '2026-11-20', key: expect.any(String) })]),
      });
    }
    // The agreement end rides along: the overdue disposition's escalation, and its lines recorded once sent.
    const escalation = planned.find((p) => String(p.json.idempotencyKey).startsWith('disposition-escalation:'));
    expect(escalation?.json.record).toMatchObject({
      onSent: [expect.objectContaining({ kind: 'disposition-escalation-sent', data: { end: expect.any(String) } })],
    });
    // A second execution inside the claim window plans none of them again.
    expect(await run(r.context({ operation: 'planReminders', claimMinutes: 30 }))).toEqual([]);

    const sendEmailOutput = planned.map((p, i) => ({ json: { messageId: `<m${i}@relay>` }, pairedItem: { item: i } }));
    const record = (items: INodeExecutionData[]) =>
      run(
        r.context(
          {
            operation: 'recordSent',
            plannedMessage: (i: number) => planned[i]!.json,
            messageId: (i: number) => items[i]!.json.messageId,
          },
          { items },
        ),
      );
    expect((await record(sendEmailOutput)).map((i) => i.json.result)).toEqual(planned.map(() => 'recorded'));
    expect((await record(sendEmailOutput)).map((i) => i.json.result)).toEqual(planned.map(() => 'duplicate'));
    const activity = await readAllRows(path.join(r.dir, 'tracker.xlsx'), 'Activity Log');
    expect(activity.filter((a) => a.Kind === 'notification-sent')).toHaveLength(planned.length);
    const escalations = planned.filter((p) => String(p.json.idempotencyKey).startsWith('disposition-escalation:'));
    expect(activity.filter((a) => a.Kind === 'disposition-escalation-sent')).toHaveLength(escalations.length);
    // The sample's due-soon and overdue tasks are in the planned digests, and Record Sent records them.
    const taskLines = planned.flatMap(({ json }) =>
      (json.record as { onSent: { kind: string }[] }).onSent.filter((l) => l.kind === 'task-reminder-sent'),
    );
    expect(taskLines.length).toBeGreaterThan(0);
    expect(activity.filter((a) => a.Kind === 'task-reminder-sent')).toHaveLength(taskLines.length);
  });

  test('Record Sent: a bad item is an error item with Continue On Fail, and stops the node without', async () => {
    const planned = await run(r.context({ operation: 'planReminders', claimMinutes: 30 }));
    const [ok, old, bad, stranger] = planned.map((p) => p.json as IDataObject & { record: IDataObject });
    const { record: _dropped, ...fromOlderVersion } = old!;
    const plannedMessages = [
      ok,
      // Planned Message left at {{ $json }} after Send Email: Send Email's own output.
      { messageId: '<x@relay>' },
      fromOlderVersion,
      {
        ...bad,
        record: {
          ...bad!.record,
          to: [],
          onSent: [{ ...(bad!.record.onSent as IDataObject[])[0], kind: 'stage-change' }],
        },
      },
      { ...stranger, record: { ...stranger!.record, idempotencyKey: 'no-such-key' } },
    ];
    const items = plannedMessages.map(() => ({ json: { messageId: '<x@relay>' } }));
    const params = {
      operation: 'recordSent',
      plannedMessage: (i: number) => plannedMessages[i],
      messageId: '<x@relay>',
    };
    const out = await run(r.context(params, { items, continueOnFail: true }));
    expect(out.map((i) => i.json.result ?? i.json.error)).toEqual([
      'recorded',
      expect.stringMatching(/not a planned message .*\$\('Plan Reminders'\)\.item\.json/),
      expect.stringMatching(new RegExp(`${String(old!.idempotencyKey)} carries no record .*older version`)),
      expect.stringMatching(/malformed record \(record\.to: .*; record\.onSent\.0\.kind: must be one of reminder-sent/),
      expect.stringMatching(/idempotency key no-such-key \(its Activity Log holds no claim for it\)/),
    ]);
    expect(out.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
    // Only the good item was recorded.
    const sent = (await readAllRows(path.join(r.dir, 'tracker.xlsx'), 'Activity Log')).filter(
      (a) => a.Kind === 'notification-sent',
    );
    expect(sent.map((a) => a['Idempotency Key'])).toEqual([ok!.idempotencyKey]);
    await expect(run(r.context(params, { items }))).rejects.toThrow(/not a planned message/);
  });

  test('Record Sent records a Send Email failure, so the message is retried', async () => {
    const planned = await run(r.context({ operation: 'planReminders', claimMinutes: 30 }));
    const key = planned[0]!.json.idempotencyKey;
    const out = await run(
      r.context(
        { operation: 'recordSent', plannedMessage: planned[0]!.json, messageId: '' },
        { items: [{ json: { error: 'Connection refused' } }] },
      ),
    );
    expect(out[0]!.json).toMatchObject({ result: 'recorded', status: 'failed', permanent: false });
    // A failure ends the claim: the next plan offers the message again.
    const again = await run(r.context({ operation: 'planReminders', claimMinutes: 30 }));
    expect(again.map((i) => i.json.idempotencyKey)).toContain(key);
  });

  test('Plan Chat Posts hands over each post with its body; mail operations claim none; Record Sent records them', async () => {
    const chatRules = `${RULES}chat:\n  - name: team\n    kind: teams\n    webhookUrlEnv: BUCP_UNIT_TEAMS_URL\n    send: [escalation, daily-board]\n    allowHosts: [127.0.0.1]\n`;
    delete process.env.BUCP_UNIT_TEAMS_URL;
    await expect(run(r.context({ operation: 'planChatPosts', rules: chatRules, claimMinutes: 30 }))).rejects.toThrow(
      /chat\.0\.webhookUrlEnv: BUCP_UNIT_TEAMS_URL is not set/,
    );
    process.env.BUCP_UNIT_TEAMS_URL = 'https://evil.example/hook?sig=SECRET';
    await expect(run(r.context({ operation: 'planChatPosts', rules: chatRules, claimMinutes: 30 }))).rejects.toThrow(
      /chat\.0\.webhookUrlEnv: BUCP_UNIT_TEAMS_URL points at evil\.example/,
    );
    process.env.BUCP_UNIT_TEAMS_URL = 'http://127.0.0.1:9/hook?sig=SECRET';
    try {
      const mail = await run(r.context({ operation: 'planReminders', rules: chatRules, claimMinutes: 30 }));
      expect(mail.every((i) => !String(i.json.idempotencyKey).startsWith('chat:'))).toBe(true);
      const posts = await run(r.context({ operation: 'planChatPosts', rules: chatRules, claimMinutes: 30 }));
      expect(posts.length).toBeGreaterThan(1);
      expect(posts.every((p) => String(p.json.idempotencyKey).startsWith('chat:team:'))).toBe(true);
      expect(posts[0]!.json).toMatchObject({
        webhookUrlEnv: 'BUCP_UNIT_TEAMS_URL',
        service: 'teams',
        body: { type: 'message' },
      });
      expect(JSON.stringify(posts)).not.toContain('SECRET');
      // Claimed: a second execution plans none of them.
      expect(await run(r.context({ operation: 'planChatPosts', rules: chatRules, claimMinutes: 30 }))).toEqual([]);
      const out = await run(
        r.context(
          { operation: 'recordSent', rules: chatRules, plannedMessage: (i: number) => posts[i]!.json, messageId: '' },
          {
            items: posts.map((_, i) => ({
              json: i === 0 ? { error: { httpCode: '404', message: '404 - gone' } } : {},
            })),
          },
        ),
      );
      expect(out[0]!.json).toMatchObject({ result: 'recorded', status: 'failed', permanent: true });
      expect(out.slice(1).every((o) => o.json.status === 'sent' && o.json.result === 'recorded')).toBe(true);
    } finally {
      delete process.env.BUCP_UNIT_TEAMS_URL;
    }
  });

  test('Escalate Disputes and Roll Up Metrics', async () => {
    const escalations = await run(r.context({ operation: 'escalateDisputes', claimMinutes: 30 }));
    expect(escalations.length).toBeGreaterThan(0);
    expect(escalations.every((e) => String(e.json.to).length > 0 && e.json.disputeId)).toBe(true);
    const [metrics] = await run(r.context({ operation: 'rollUpMetrics' }));
    expect((metrics!.json.proposals as { total: number }).total).toBe(73);
  });

  test('Sync writes system columns and sends nothing', async () => {
    const [report] = await run(r.context({ operation: 'sync' }));
    expect((report!.json.writes as { cellsWritten: number }).cellsWritten).toBeGreaterThan(0);
    const activity = await readAllRows(path.join(r.dir, 'tracker.xlsx'), 'Activity Log');
    expect(activity.some((a) => String(a.Kind).startsWith('notification'))).toBe(false);
  });

  test('a bad rule names its key path', async () => {
    const context = r.context({ operation: 'findStalled', rules: 'contacts:\n  governanceLiaison: not-an-email\n' });
    await expect(run(context)).rejects.toThrow(/contacts\.governanceLiaison: must be an email address/);
    const out = await run({ ...context, continueOnFail: () => true });
    expect(out[0]!.json.error).toMatch(/contacts\.governanceLiaison/);
  });

  test('a busy lease is waited for, then reported', async () => {
    const tracker = await openTracker(executeSource(r.context({})));
    await tracker.store.lease!.acquire('another-worker', new Date(), 60_000);
    await expect(underLease(tracker, 'me', () => Promise.resolve(1), { waitMs: 300, pollMs: 50 })).rejects.toThrow(
      LeaseBusyError,
    );
    await tracker.store.lease!.release('another-worker');
    await expect(underLease(tracker, 'me', () => Promise.resolve(1), { waitMs: 300, pollMs: 50 })).resolves.toBe(1);
  });

  test('the canary is in no operation’s output and no log line', async () => {
    const outputs: unknown[] = [];
    let planned: INodeExecutionData[] = [];
    for (const op of OPERATIONS) {
      const recording = op.value === 'recordSent';
      const params = {
        operation: op.value,
        claimMinutes: 30,
        includeDueSoon: true,
        plannedMessage: planned[0]?.json,
        messageId: '<x@relay>',
      };
      const items = await run(r.context(params, recording ? { items: [{ json: { messageId: '<x@relay>' } }] } : {}));
      if (op.value === 'planReminders') planned = items;
      outputs.push(items);
    }
    expect(outputs.flat().length).toBeGreaterThan(64);
    expect(JSON.stringify(outputs).includes(CANARY)).toBe(false);
    expect(r.logs.join('\n').includes(CANARY)).toBe(false);
    expect(await dumpWorkbook(path.join(r.dir, 'restricted.xlsx'))).toContain(CANARY);
  });
});

describe('BUCP Trigger', () => {
  test('learns on the first poll, then emits each change once', async () => {
    const base = r.context({ events: ['stage-changed', 'became-stalled', 'new-dispute'] });
    const poll: BucpPollContext = {
      getNodeParameter: ((name: string, fallback?: unknown) =>
        base.getNodeParameter(name, 0, fallback)) as BucpPollContext['getNodeParameter'],
      getCredentials: base.getCredentials,
      getNode: base.getNode,
      logger: base.logger,
      getWorkflowStaticData: () => r.staticData,
      getMode: () => 'trigger',
    };
    expect(await pollTracker.call(poll)).toBeNull();
    const proposals = await readAllRows(path.join(r.dir, 'tracker.xlsx'), 'Proposals');
    const moving = proposals.find((p) => p.Stage === 'Drafting')!;
    await editRow(path.join(r.dir, 'tracker.xlsx'), 'Proposals', 'BUCP ID', String(moving['BUCP ID']), {
      Stage: 'Internal Review',
    });
    const emitted = await pollTracker.call(poll);
    expect(emitted![0]!.map((i) => i.json)).toEqual([
      expect.objectContaining({
        change: 'stage-changed',
        bucpId: moving['BUCP ID'],
        previousStage: 'Drafting',
        stage: 'Internal Review',
      }),
    ]);
    expect(await pollTracker.call(poll)).toBeNull();
    expect(JSON.stringify(r.staticData).includes(CANARY)).toBe(false);
  });
});

describe("on Google Sheets, with n8n's own Google service-account credential", () => {
  test('the key is exchanged at the token endpoint, and the operations read and write the spreadsheet', async () => {
    const ws = await googleWorkspace({ quota: false });
    try {
      const data = sampleData('2026-11-20', calendarFor(ws.config));
      ws.addProposals(data.proposals);
      ws.addDisputes(data.disputes);
      ws.addRestricted(data.restricted.map(withCanary));
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      ws.emulator.resetCalls();
      const google = (operation: string) =>
        r.context(
          {
            operation,
            store: 'google-sheets',
            spreadsheetId: ws.tracker.spreadsheetId,
            restrictedSpreadsheetId: ws.restricted.spreadsheetId,
            rootUrl: ws.rootUrl,
            tokenUrl: new URL('token', ws.rootUrl).toString(),
            claimMinutes: 30,
          },
          // As n8n stores a pasted key: its line breaks escaped.
          { credentials: { googleApi: { email: SERVICE_ACCOUNT, privateKey: privateKey.replace(/\n/g, '\\n') } } },
        );
      const stalled = await run(google('findStalled'));
      expect(stalled.length).toBeGreaterThan(0);
      const planned = await run(google('planReminders'));
      expect(planned.length).toBeGreaterThan(0);
      const { byApi } = ws.emulator.stats;
      expect(byApi['oauth.token']).toBeGreaterThanOrEqual(1);
      // Every Sheets call was made with the token the key was exchanged for, as the service account.
      const sheetsCalls = ws.emulator.calls.filter((c) => c.api !== 'oauth.token');
      expect(sheetsCalls.length).toBeGreaterThan(0);
      expect(sheetsCalls.every((c) => c.user === SERVICE_ACCOUNT && c.status < 400)).toBe(true);
      const intents = ws.emulator
        .sheet(ws.tracker.spreadsheetId, 'Activity Log')
        .values()
        .filter((row) => row.includes('notification-intent'));
      expect(intents).toHaveLength(planned.length);
      expect(JSON.stringify([stalled, planned]).includes(CANARY)).toBe(false);
    } finally {
      await ws.stop();
    }
  });
});

describe('Tracker: Airtable', () => {
  test("opens the two bases with n8n's Airtable token credential and the base IDs of the node", async () => {
    const token = 'patUnitTestToken.0123456789';
    const at = await seedAirtableTracker(new Date(NOW), token);
    try {
      const params = {
        store: 'airtable',
        baseId: at.baseId,
        restrictedBaseId: at.restrictedBaseId,
        endpointUrl: at.endpointUrl,
      };
      const credentials = { airtableTokenApi: { accessToken: token } };
      const items = await run(r.context({ ...params, operation: 'getProposals' }, { credentials }));
      expect(items.length).toBeGreaterThan(50);
      expect(items[0]!.json).toMatchObject({ bucpId: expect.stringMatching(/^BUCP-/) });
      // Every request carried the credential's token, to the bases the node names.
      expect(at.emulator.calls.length).toBeGreaterThan(0);
      expect(new Set(at.emulator.calls.map((c) => c.token))).toEqual(new Set([token]));
      await expect(
        run(r.context({ ...params, operation: 'getProposals' }, { credentials: { airtableTokenApi: {} } })),
      ).rejects.toThrow(/Airtable credential has no access token/);
    } finally {
      await at.emulator.stop();
    }
  });
});
