/**
 * Two n8n instances run daily-reminders on one tracker at the same moment, as two queue-mode workers
 * could: the lease and the claims mean each email still goes out once.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { readAllRows } from '../support/workspace.ts';
import { N8n } from './n8n.ts';
import { seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOW = '2026-11-20T17:00:00Z';
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

test('two instances running daily-reminders at once send each email once', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-two-'));
  const paths = await seedTracker(dir, new Date(NOW));
  const smtp = await smtpServer();
  stops.push(() => smtp.close());
  const workflow = JSON.parse(await readFile(path.join(ROOT, 'workflows/daily-reminders.json'), 'utf8')) as {
    id: string;
  };
  const instances = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const n8n = await N8n.forTracker(path.join(dir, `n8n-${name}`), { paths, now: NOW, smtpPort: smtp.port });
      await n8n.importWorkflow(workflow);
      return n8n;
    }),
  );
  const runs = await Promise.all(instances.map((n8n) => n8n.execute(workflow.id)));
  expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
  // Both boot together, so their BUCP nodes overlap: usually one logs that it waited for the lease.
  const planned = runs.flatMap((r) => r.nodes.get('Plan Reminders')?.items ?? []);
  const keys = planned.map((p) => p.idempotencyKey);
  // Between them they planned every message once: the second saw the first's claims.
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.length).toBeGreaterThan(0);
  expect(smtp.received).toHaveLength(keys.length);
  const delivered = smtp.received.map((m) => `${m.mail.subject}|${m.rcptTo.sort().join()}`);
  expect(new Set(delivered).size).toBe(delivered.length);
  const sent = (await readAllRows(paths.tracker, TABS.activity)).filter((r) => r.Kind === 'notification-sent');
  expect(sent.map((r) => r['Idempotency Key']).sort()).toEqual([...keys].sort());
});
