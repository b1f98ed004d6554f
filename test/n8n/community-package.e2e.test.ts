/**
 * The community-package route: the built package, packed with `npm pack` and unpacked into the n8n
 * user folder's nodes directory as n8n installs community packages, runs the shipped daily-reminders
 * workflow with its node types renamed to the package's (`n8n-nodes-bucp-tracker.*`). No
 * N8N_CUSTOM_EXTENSIONS here: the nodes come from the package or not at all.
 */
import { access, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { readAllRows } from '../support/workspace.ts';
import { N8n, PACKAGE_NAME, shippedWorkflow } from './n8n.ts';
import { CANARY, seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

/** Friday 20 November 2026, 9:00 in Sacramento: a business day. */
const NOW = '2026-11-20T17:00:00Z';

/** The shipped workflow, with our nodes' types as a community package names them (README, "Using with n8n"). */
async function communityWorkflow(name: string, id: string): Promise<{ id: string }> {
  const renamed = JSON.stringify(await shippedWorkflow(name)).replaceAll('"CUSTOM.bucp', `"${PACKAGE_NAME}.bucp`);
  expect(renamed).not.toContain('CUSTOM.');
  return { ...(JSON.parse(renamed) as object), id };
}

let n8n: N8n;
let smtp: Awaited<ReturnType<typeof smtpServer>>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-community-'));
  const paths = await seedTracker(dir, new Date(NOW));
  smtp = await smtpServer();
  n8n = await N8n.forTracker(path.join(dir, 'n8n'), {
    paths,
    now: NOW,
    smtpPort: smtp.port,
    nodes: 'community-package',
  });
}, 300_000);

afterAll(async () => {
  await smtp?.close();
});

test('installed as a community package, the nodes run the daily-reminders workflow', { timeout: 180_000 }, async () => {
  // What n8n loaded is what `npm pack` shipped: the bundles, their descriptions and the mail templates.
  const installed = path.join(n8n.home, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
  await access(path.join(installed, 'nodes', 'BucpTracker', 'BucpTracker.node.js'));
  await access(path.join(installed, 'config', 'templates'));

  await n8n.importWorkflow(await communityWorkflow('daily-reminders', 'bucpCommunityReminders'));
  const run = await n8n.execute('bucpCommunityReminders');
  expect(run.status, run.stderr).toBe('success');
  const planned = run.nodes.get('Plan Reminders')!.items;
  expect(planned.length).toBeGreaterThan(0);
  expect(smtp.received).toHaveLength(planned.length);
  expect(smtp.received.map((m) => m.mail.subject).sort()).toEqual(planned.map((p) => String(p.subject)).sort());
  expect(run.nodes.get('Record Sent')!.items.map((r) => r.result)).toEqual(planned.map(() => 'recorded'));
  const activity = await readAllRows(path.join(dir, 'tracker.xlsx'), TABS.activity);
  const sentKeys = activity.filter((r) => r.Kind === 'notification-sent').map((r) => r['Idempotency Key']);
  expect(sentKeys.sort()).toEqual(planned.map((p) => p.idempotencyKey).sort());
  expect(`${run.stdout}${run.stderr}${JSON.stringify(smtp.received.map((m) => m.mail.text))}`).not.toContain(CANARY);

  // The same workflow under the custom-extension types does not run in this n8n: the package, and
  // nothing else, is where the nodes above came from.
  await n8n.importWorkflow({ ...(await shippedWorkflow('daily-reminders')), id: 'bucpCustomTypes' });
  await expect(n8n.execute('bucpCustomTypes')).rejects.toThrow(/CUSTOM\.bucpTracker|Unrecognized node type/i);
});
