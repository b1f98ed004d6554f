/**
 * workflows/escalations-to-chat.json in a real n8n: Plan Chat Posts hands over each post with its ready
 * body, n8n's own HTTP Request node posts it to a local endpoint standing in for the Teams flow and the
 * Google Chat webhook, and Record Sent records each outcome.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { TABS } from '../../src/core/contract.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';
import { dumpWorkbook } from '../support/dump.ts';
import { readAllRows } from '../support/workspace.ts';
import { N8n, shippedWorkflow } from './n8n.ts';
import { CANARY, seedTracker } from './seed.ts';

/** Friday 20 November 2026, 9:00 in Sacramento: a business day. */
const NOW = '2026-11-20T17:00:00Z';
const SECRET = 'sig=CANARY-N8N-WEBHOOK-3c7d';

let dir: string;
let n8n: N8n;
let teams: ChatEndpoint;
let google: ChatEndpoint;

interface WorkflowNode {
  name: string;
  parameters: Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-chat-'));
  const paths = await seedTracker(dir, new Date(NOW));
  teams = await ChatEndpoint.teams().start();
  google = await ChatEndpoint.googleChat().start();
  n8n = await N8n.forTracker(path.join(dir, 'n8n'), {
    paths,
    now: NOW,
    env: {
      BUCP_TEAMS_WEBHOOK_URL: teams.url(`/workflows/abc/triggers/manual/paths/invoke?api-version=1&${SECRET}`),
      BUCP_GCHAT_WEBHOOK_URL: google.url(`/v1/spaces/AAAA/messages?key=k&${SECRET}`),
      // The shipped workflow reads the webhook URLs from the environment (see README, Team chat).
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
    },
  });
  // As shipped, but pointed at the local endpoints: the rules allow their host by name, which is
  // the only way a post goes anywhere but Teams or Google Chat.
  const workflow = (await shippedWorkflow('escalations-to-chat')) as { id: string; nodes: WorkflowNode[] };
  for (const node of workflow.nodes) {
    if (typeof node.parameters.rules === 'string') {
      const rules = parse(node.parameters.rules) as { chat: { allowHosts?: string[] }[] };
      for (const channel of rules.chat) channel.allowHosts = ['127.0.0.1'];
      node.parameters.rules = stringify(rules);
    }
  }
  await n8n.importWorkflow(workflow);
}, 300_000);

afterAll(async () => {
  await teams?.stop();
  await google?.stop();
});

test(
  'escalations-to-chat posts each planned card once with the HTTP Request node, and records each outcome',
  { timeout: 240_000 },
  async () => {
    // The Google Chat webhook was deleted: its first post is refused for good.
    google.answer({ status: 404 });
    const run = await n8n.execute('bucpEscalationsToChat');
    expect(run.status, run.stderr).toBe('success');
    const planned = run.nodes.get('Plan Chat Posts')!.items;
    const kinds = new Set(planned.map((p) => p.kind));
    for (const kind of ['escalation', 'manager-digest', 'daily-board']) expect(kinds).toContain(kind);

    // Each planned body reached its channel, as planned, once.
    const forChannel = (channel: string) => planned.filter((p) => p.channel === channel).map((p) => p.body);
    expect(teams.bodies()).toEqual(forChannel('data-sharing-team'));
    expect(google.bodies()).toEqual(forChannel('agency-space'));

    const recorded = run.nodes.get('Record Sent')!.items;
    expect(recorded).toHaveLength(planned.length);
    expect(recorded.every((r) => r.result === 'recorded')).toBe(true);
    expect(recorded.filter((r) => r.status === 'failed')).toEqual([
      expect.objectContaining({
        idempotencyKey: planned.find((p) => p.channel === 'agency-space')!.idempotencyKey,
        permanent: true,
      }),
    ]);
    const log = await readAllRows(path.join(dir, 'tracker.xlsx'), TABS.activity);
    const sent = log.filter((r) => r.Kind === 'notification-sent').map((r) => r['Idempotency Key']);
    expect(sent.sort()).toEqual(
      recorded
        .filter((r) => r.status === 'sent')
        .map((r) => r.idempotencyKey)
        .sort(),
    );
    const failed = log.find((r) => r.Kind === 'notification-failed')!;
    expect(String(failed.Detail)).toContain('404');
    expect(String(failed.Detail)).toContain('BUCP_GCHAT_WEBHOOK_URL');

    // Again: nothing is planned (the refused post waits out its backoff), nothing is posted twice.
    const postsBefore = teams.posts.length + google.posts.length;
    const again = await n8n.execute('bucpEscalationsToChat');
    expect(again.nodes.get('Plan Chat Posts')!.items).toEqual([]);
    expect(teams.posts.length + google.posts.length).toBe(postsBefore);

    // Neither restricted content nor the webhook URLs show in node output, n8n's logs or the tracker.
    const tracker = await dumpWorkbook(path.join(dir, 'tracker.xlsx'));
    for (const execution of [run, again]) {
      for (const [name, node] of execution.nodes) {
        const text = JSON.stringify(node.items);
        expect(text.includes(CANARY), `canary in ${name}`).toBe(false);
        expect(text.includes(SECRET), `webhook URL in ${name}`).toBe(false);
      }
      expect(execution.stderr.includes(SECRET)).toBe(false);
    }
    expect(tracker.includes(SECRET) || tracker.includes(CANARY)).toBe(false);
    for (const post of [...teams.posts, ...google.posts]) expect(post.text.includes(CANARY)).toBe(false);
  },
);
