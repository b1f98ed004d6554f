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
import { leaseHolder } from '../../src/stores/file-lease.ts';
import { XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import { readAllRows } from '../support/workspace.ts';
import { N8n, until } from './n8n.ts';
import { seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOW = '2026-11-20T17:00:00Z';
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

test(
  'two instances running daily-reminders at once wait for the lease, then send each email once',
  { timeout: 300_000 },
  async () => {
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
    // The test holds the tracker's lease while both start, as an instance in the middle of its cycle
    // would: both must wait for it, and write nothing meanwhile. Two instances that merely happened
    // one after the other, or that ignored the lease, fail here.
    const lease = new XlsxTrackerStore({ path: paths.tracker }).lease;
    const holder = leaseHolder('two-workers-test');
    expect((await lease.acquire(holder, new Date(), 600_000)).acquired).toBe(true);
    const logged = ['', ''];
    const finished = [false, false];
    const running = Promise.all(
      instances.map((n8n, i) =>
        n8n.execute(workflow.id, { onOutput: (text) => (logged[i] += text) }).finally(() => (finished[i] = true)),
      ),
    );
    const activityBefore = (await readAllRows(paths.tracker, TABS.activity)).length;
    const waited = (i: number) => logged[i]!.includes('waiting for the tracker lease');
    await until(
      'both instances to wait for the lease',
      () => {
        const early = finished.findIndex((done, i) => done && !waited(i));
        if (early >= 0) throw new Error(`instance ${early} ran without waiting for the lease:\n${logged[early]}`);
        return waited(0) && waited(1);
      },
      180_000,
      () => logged.join('\n'),
    );
    expect((await readAllRows(paths.tracker, TABS.activity)).length).toBe(activityBefore);
    await lease.release(holder);

    const runs = await running;
    expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
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
  },
);
