/**
 * The shipped workflows, run as they are in a real n8n (the pinned version, installed outside the
 * repo by scripts/n8n-install.ts), with our built nodes loaded through N8N_CUSTOM_EXTENSIONS and a real
 * SMTP server, on each tracker: a local workbook, and two Airtable bases on an emulator in this
 * process (the workflows' BUCP nodes switched to Tracker: Airtable with n8n's Airtable token
 * credential, as a user would). Asserts on the mail received and on the tracker.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { inLogOrder, packedRecord, type PackedRecord, unpackLines } from '../../src/stores/airtable/activity-log.ts';
import { dumpWorkbook } from '../support/dump.ts';
import { editRow, readAllRows } from '../support/workspace.ts';
import { type Execution, N8n, shippedWorkflow } from './n8n.ts';
import { AIRTABLE_CREDENTIAL, CANARY, seedAirtableTracker, seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = path.join(ROOT, 'workflows');
/** Friday 20 November 2026, 9:00 in Sacramento: a business day. */
const NOW = '2026-11-20T17:00:00Z';

type Workflow = Awaited<ReturnType<typeof shippedWorkflow>>;
type Fields = Record<string, unknown>;

/** A tracker the workflows run on, and what the tests read and change of it, as staff would. */
interface TrackerUnderTest {
  /** The n8n credentials it needs. */
  readonly credentials: unknown[];
  readonly paths?: { tracker: string; restricted: string };
  /** The shipped workflow, its BUCP nodes pointed at this tracker. */
  workflow(shipped: Workflow): Workflow;
  activity(): Promise<Fields[]>;
  proposals(): Promise<Fields[]>;
  editProposal(id: string, fields: Fields): Promise<void>;
  /** Everything in the tracker, and everything in the restricted store, as searchable text. */
  dump(): Promise<string>;
  dumpRestricted(): Promise<string>;
  stop(): Promise<void>;
}

async function workbookTracker(dir: string): Promise<TrackerUnderTest> {
  const paths = await seedTracker(dir, new Date(NOW));
  return {
    credentials: [],
    paths,
    workflow: (shipped) => shipped,
    activity: () => readAllRows(paths.tracker, TABS.activity),
    proposals: () => readAllRows(paths.tracker, TABS.proposals),
    editProposal: (id, fields) => editRow(paths.tracker, TABS.proposals, 'BUCP ID', id, fields as never),
    dump: () => dumpWorkbook(paths.tracker),
    dumpRestricted: () => dumpWorkbook(paths.restricted),
    stop: async () => {},
  };
}

async function airtableTracker(): Promise<TrackerUnderTest> {
  const token = 'patN8nTestToken.0123456789';
  const { emulator, endpointUrl, baseId, restrictedBaseId } = await seedAirtableTracker(new Date(NOW), token);
  const dumpBase = (id: string) =>
    JSON.stringify(emulator.base(id).tables.map((t) => [t.name, emulator.records(id, t.name)]));
  return {
    credentials: [{ ...AIRTABLE_CREDENTIAL, type: 'airtableTokenApi', data: { accessToken: token } }],
    workflow: (shipped) => {
      const nodes = (shipped.nodes as { type: string; parameters: Fields; credentials?: Fields }[]).map((node) =>
        /\.bucp(Tracker|Trigger)$/.test(node.type)
          ? {
              ...node,
              parameters: { ...node.parameters, store: 'airtable', baseId, restrictedBaseId, endpointUrl },
              credentials: { airtableTokenApi: AIRTABLE_CREDENTIAL },
            }
          : node,
      );
      return { ...shipped, nodes };
    },
    activity: async () => {
      const packed = emulator.records(baseId, TABS.activity).map(packedRecord);
      return unpackLines(inLogOrder(packed.filter((r): r is PackedRecord => r !== null))).map((r) => r.cells);
    },
    proposals: async () => emulator.records(baseId, TABS.proposals).map((r) => r.fields),
    editProposal: async (id, fields) => {
      const record = emulator.records(baseId, TABS.proposals).find((r) => r.fields['BUCP ID'] === id)!;
      emulator.editRecord(baseId, TABS.proposals, record.id, fields as never);
    },
    dump: async () => dumpBase(baseId),
    dumpRestricted: async () => dumpBase(restrictedBaseId),
    stop: () => emulator.stop(),
  };
}

const TRACKERS = {
  'a local workbook': workbookTracker,
  'Airtable (emulator)': airtableTracker,
} satisfies Record<string, (dir: string) => Promise<TrackerUnderTest>>;

describe.each(Object.keys(TRACKERS) as (keyof typeof TRACKERS)[])(
  'the shipped workflows in a real n8n, on %s',
  (on) => {
    let n8n: N8n;
    let smtp: Awaited<ReturnType<typeof smtpServer>>;
    let tracker: TrackerUnderTest;
    const executions: Execution[] = [];

    async function execute(id: string): Promise<Execution> {
      const run = await n8n.execute(id);
      executions.push(run);
      expect(run.status, run.stderr).toBe('success');
      return run;
    }

    beforeAll(async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-'));
      tracker = await TRACKERS[on](dir);
      smtp = await smtpServer();
      // The credential ids the shipped workflows refer to; a user picks their own after importing.
      n8n = await N8n.forTracker(path.join(dir, 'n8n'), {
        ...(tracker.paths ? { paths: tracker.paths } : {}),
        credentials: tracker.credentials,
        now: NOW,
        smtpPort: smtp.port,
      });
      for (const file of await readdir(WORKFLOWS))
        await n8n.importWorkflow(tracker.workflow(await shippedWorkflow(path.basename(file, '.json'))));
    }, 300_000);

    afterAll(async () => {
      await smtp?.close();
      await tracker?.stop();
    });

    const activity = () => tracker.activity();

    // Airtable's pacing (5 requests a second per base, real time in n8n's process) makes each workflow slower.
    describe('each workflow', { timeout: on === 'a local workbook' ? 120_000 : 300_000 }, () => {
      test('daily-reminders sends each planned digest once, and records it', async () => {
        const run = await execute('bucpDailyReminders');
        const planned = run.nodes.get('Plan Reminders')!.items;
        expect(run.nodes.get('Find Stalled')!.items.length).toBeGreaterThan(0);
        expect(planned.length).toBeGreaterThan(0);
        expect(smtp.received).toHaveLength(planned.length);
        for (const item of planned) {
          const recipients = String(item.to)
            .split(', ')
            .concat(item.cc ? String(item.cc).split(', ') : [])
            .sort()
            .join();
          const mail = smtp.received.find(
            (m) => m.mail.subject === item.subject && m.rcptTo.sort().join() === recipients,
          );
          expect(mail, `no email "${String(item.subject)}" to ${recipients}`).toBeDefined();
          expect(mail!.mail.text).toContain(String(item.text).trim().split('\n')[0]);
        }
        const recorded = run.nodes.get('Record Sent')!.items;
        expect(recorded.map((r) => r.result)).toEqual(planned.map(() => 'recorded'));
        const sentKeys = (await activity())
          .filter((r) => r.Kind === 'notification-sent')
          .map((r) => r['Idempotency Key']);
        expect(sentKeys.sort()).toEqual(planned.map((p) => p.idempotencyKey).sort());
        // The sample's due-soon and overdue tasks went out in their owners' digests, and were recorded.
        expect(smtp.received.some((m) => m.mail.text?.includes('Your tasks due soon or overdue'))).toBe(true);
        expect((await activity()).some((r) => r.Kind === 'task-reminder-sent')).toBe(true);

        // The same day again: nothing new is planned, so nothing is sent twice.
        const again = await execute('bucpDailyReminders');
        expect(again.nodes.get('Plan Reminders')!.items).toEqual([]);
        expect(again.nodes.has('Send Email')).toBe(false);
        expect(smtp.received).toHaveLength(planned.length);
      });

      test('dispute-escalation sends each overdue dispute to its next level, once', async () => {
        const before = smtp.received.length;
        const run = await execute('bucpDisputeEscalation');
        const planned = run.nodes.get('Escalate Disputes')!.items;
        expect(planned.length).toBeGreaterThan(0);
        const mails = smtp.received.slice(before);
        expect(mails).toHaveLength(planned.length);
        for (const item of planned) expect(mails.map((m) => m.mail.subject)).toContain(item.subject);
        expect(run.nodes.get('Record Sent')!.items.every((r) => r.result === 'recorded')).toBe(true);
        const again = await execute('bucpDisputeEscalation');
        expect(again.nodes.get('Escalate Disputes')!.items).toEqual([]);
        expect(smtp.received).toHaveLength(before + planned.length);
      });

      test('metrics-rollup writes the summary tabs and returns the metrics', async () => {
        const run = await execute('bucpMetricsRollup');
        const [metrics] = run.nodes.get('Roll Up Metrics')!.items;
        expect((metrics!.proposals as { total: number }).total).toBe(73);
        const summary = await tracker.dump();
        expect(summary).toContain('Summary');
        expect(summary).toMatch(/approval rate/i);
      });

      test('stage-change-alerts tells the coordinators when a proposal moves', async () => {
        // The first look only learns where everything stands.
        const first = await execute('bucpStageChangeAlerts');
        expect(first.nodes.get('Find Changes')!.items).toEqual([]);
        const before = smtp.received.length;
        const proposals = await tracker.proposals();
        const moving = proposals.find((p) => p.Stage === 'Drafting')!;
        await tracker.editProposal(String(moving['BUCP ID']), { Stage: 'Internal Review' });
        const run = await execute('bucpStageChangeAlerts');
        const changes = run.nodes.get('Find Changes')!.items;
        expect(changes).toEqual([
          expect.objectContaining({ change: 'stage-changed', bucpId: moving['BUCP ID'], stage: 'Internal Review' }),
        ]);
        const mails = smtp.received.slice(before);
        expect(mails.map((m) => m.mail.subject)).toEqual([`${String(moving['BUCP ID'])} moved to Internal Review`]);
        expect(mails[0]!.rcptTo.sort()).toEqual(
          [moving['Requesting Coordinator Email'], moving['Providing Coordinator Email']].map(String).sort(),
        );
        // Looked at again with nothing new: no second alert.
        const third = await execute('bucpStageChangeAlerts');
        expect(third.nodes.get('Find Changes')!.items).toEqual([]);
        expect(smtp.received).toHaveLength(before + 1);
      });

      test('no node output, email or log line carries restricted content', async () => {
        expect(executions.length).toBeGreaterThanOrEqual(8);
        for (const run of executions) {
          for (const [name, node] of run.nodes) {
            expect(JSON.stringify(node.items).includes(CANARY), `canary in the output of ${name}`).toBe(false);
          }
          expect(run.stdout.includes(CANARY), 'canary in n8n output').toBe(false);
          expect(run.stderr.includes(CANARY), 'canary in n8n logs').toBe(false);
        }
        for (const m of smtp.received) expect(m.raw.includes(CANARY), 'canary in an email').toBe(false);
        expect(await tracker.dump()).not.toContain(CANARY);
        // The search can fail: the canary is really in the restricted store the nodes opened.
        expect(await tracker.dumpRestricted()).toContain(CANARY);
      });
    });
  },
);
