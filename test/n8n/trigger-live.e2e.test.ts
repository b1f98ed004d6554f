/**
 * The BUCP Trigger as n8n really runs it: stage-change-alerts published, `n8n start` polling it on
 * its schedule, a stage changed in the workbook, and the alert arriving by SMTP. The only change to
 * the shipped workflow is its polling interval: every minute instead of every 15.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { editRow, readAllRows } from '../support/workspace.ts';
import { N8n, until } from './n8n.ts';
import { CANARY, seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOW = '2026-11-20T17:00:00Z';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

test(
  'the published trigger polls, learns, and alerts the coordinators once per stage change',
  { timeout: 480_000 },
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-live-'));
    const paths = await seedTracker(dir, new Date(NOW));
    const smtp = await smtpServer();
    cleanup.push(() => smtp.close());
    const n8n = await N8n.forTracker(path.join(dir, 'n8n'), { paths, now: NOW, smtpPort: smtp.port });
    const workflow = JSON.parse(await readFile(path.join(ROOT, 'workflows/stage-change-alerts.json'), 'utf8')) as {
      id: string;
      nodes: { type: string; parameters: Record<string, unknown> }[];
    };
    workflow.nodes.find((n) => n.type === 'CUSTOM.bucpTrigger')!.parameters.pollTimes = {
      item: [{ mode: 'everyMinute' }],
    };
    await n8n.importWorkflow(workflow);
    const published = await n8n.run(['publish:workflow', `--id=${workflow.id}`]);
    expect(published.code, published.stdout + published.stderr).toBe(0);

    const server = n8n.start();
    cleanup.push(() => server.stop());
    // A poll that found a memory has a baseline to compare with: from here on, changes are reported.
    await until('a poll with a baseline', () => /tracker watched: \d+ change/.test(server.log()), 240_000, server.log);
    expect(smtp.received).toHaveLength(0);

    const proposals = await readAllRows(paths.tracker, TABS.proposals);
    const moving = proposals.find((p) => p.Stage === 'Drafting')!;
    const id = String(moving['BUCP ID']);
    await editRow(paths.tracker, TABS.proposals, 'BUCP ID', id, { Stage: 'Internal Review' });
    await until('the alert email', () => smtp.received.length > 0, 90_000, server.log);
    expect(smtp.received.map((m) => m.mail.subject)).toEqual([`${id} moved to Internal Review`]);
    expect(smtp.received[0]!.rcptTo.sort()).toEqual(
      [moving['Requesting Coordinator Email'], moving['Providing Coordinator Email']].map(String).sort(),
    );

    // The next poll finds nothing new: no second alert.
    const polls = () => server.log().match(/tracker watched: \d+ change/g)?.length ?? 0;
    const seen = polls();
    await until('the next poll', () => polls() > seen, 90_000, server.log);
    expect(smtp.received).toHaveLength(1);
    expect(server.log().includes(CANARY)).toBe(false);
    expect(smtp.received[0]!.raw.includes(CANARY)).toBe(false);
  },
);
