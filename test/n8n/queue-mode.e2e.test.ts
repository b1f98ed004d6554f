/**
 * n8n's queue mode, as an agency scales out: a main instance that only enqueues, Redis, PostgreSQL,
 * and two `n8n worker` processes that run the executions. daily-reminders is started three times at
 * once through a webhook (the only change to the shipped workflow is that trigger), so the workers
 * run it side by side on one tracker: the lease and the claims still send each email once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { TABS } from '../../src/core/contract.ts';
import { readAllRows } from '../support/workspace.ts';
import { N8n, until } from './n8n.ts';
import { queueServicesMissing, startPostgres, startRedis } from './queue-services.ts';
import { CANARY, seedTracker } from './seed.ts';
import { smtpServer } from './smtp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOW = '2026-11-20T17:00:00Z';
const WEBHOOK = 'bucp-daily-reminders';
const RUNS = 3;
/** What `n8n start` and `n8n worker` log once they take work. */
const READY = [/Editor is now accessible/, /worker is now ready/i, /worker is now ready/i];

interface Workflow {
  id: string;
  nodes: { name: string; type: string; typeVersion: number; position: number[]; parameters: object }[];
  connections: Record<string, { main: { node: string; type: string; index: number }[][] }>;
}

/** The shipped workflow with its two triggers replaced by one webhook that answers at once. */
async function webhookDailyReminders(): Promise<Workflow> {
  const workflow = JSON.parse(await readFile(path.join(ROOT, 'workflows/daily-reminders.json'), 'utf8')) as Workflow;
  const triggers = workflow.nodes.filter((n) => /manualTrigger|scheduleTrigger/.test(n.type)).map((n) => n.name);
  const next = workflow.connections[triggers[0]!]!;
  workflow.nodes = [
    ...workflow.nodes.filter((n) => !triggers.includes(n.name)),
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      parameters: { httpMethod: 'POST', path: WEBHOOK, responseMode: 'onReceived', options: {} },
      ...{ webhookId: randomUUID() },
    },
  ];
  for (const t of triggers) delete workflow.connections[t];
  workflow.connections.Webhook = next;
  return workflow;
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

const missing = queueServicesMissing();

test.skipIf(missing !== null)(
  `queue mode: two workers run daily-reminders three times at once and send each email once${missing ? ` (skipped: ${missing})` : ''}`,
  { timeout: 480_000 },
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-n8n-queue-'));
    const paths = await seedTracker(dir, new Date(NOW));
    const [smtp, redis, postgres] = await Promise.all([smtpServer(), startRedis(), startPostgres()]);
    cleanup.push(
      () => smtp.close(),
      () => redis.stop(),
      () => postgres.stop(),
    );
    // Every instance shares the queue, the database and the key that encrypts credentials in it.
    const env = {
      EXECUTIONS_MODE: 'queue',
      QUEUE_BULL_REDIS_HOST: '127.0.0.1',
      QUEUE_BULL_REDIS_PORT: String(redis.port),
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: '127.0.0.1',
      DB_POSTGRESDB_PORT: String(postgres.port),
      DB_POSTGRESDB_DATABASE: 'postgres',
      DB_POSTGRESDB_USER: 'postgres',
      DB_POSTGRESDB_PASSWORD: '',
      N8N_ENCRYPTION_KEY: 'bucp-queue-mode-test-key',
    };
    const instance = (name: string) =>
      N8n.forTracker(path.join(dir, name), { paths, now: NOW, smtpPort: smtp.port, env });
    const main = await instance('main');
    const workflow = await webhookDailyReminders();
    await main.importWorkflow(workflow);
    const published = await main.run(['publish:workflow', `--id=${workflow.id}`]);
    expect(published.code, published.stdout + published.stderr).toBe(0);

    const workers = await Promise.all(['worker-a', 'worker-b'].map(instance));
    // One execution at a time per worker: three runs must spread over both.
    const processes = [main.start('start'), ...workers.map((w) => w.start('worker', ['--concurrency=1']))];
    for (const p of processes) cleanup.push(() => p.stop());
    const log = () => processes.map((p, i) => `--- ${i === 0 ? 'main' : `worker ${i}`}\n${p.log()}`).join('\n');
    const url = `http://127.0.0.1:${main.port}/webhook/${WEBHOOK}`;
    await until(
      'main and both workers to be ready',
      () => READY.every((ready, i) => ready.test(processes[i]!.log())),
      240_000,
      log,
    );

    // The main instance registers the webhook a moment after it is ready; until then it is unknown.
    await until(
      'the webhook to be registered',
      async () => /POST request/.test(await (await fetch(url)).text()),
      60_000,
      log,
    );
    const answers = await Promise.all(
      Array.from({ length: RUNS }, () =>
        fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
      ),
    );
    expect(
      answers.map((a) => a.status),
      log(),
    ).toEqual(Array(RUNS).fill(200));

    const finished = () => processes.slice(1).map((p) => p.log().match(/finished execution/gi)?.length ?? 0);
    await until(`${RUNS} finished executions`, () => finished().reduce((a, b) => a + b, 0) >= RUNS, 240_000, log);
    // Both workers took executions: the runs really were side by side on two processes.
    expect(
      finished().every((n) => n > 0),
      log(),
    ).toBe(true);

    const sent = (await readAllRows(paths.tracker, TABS.activity)).filter((r) => r.Kind === 'notification-sent');
    const keys = sent.map((r) => String(r['Idempotency Key']));
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect(smtp.received).toHaveLength(keys.length);
    const delivered = smtp.received.map((m) => `${m.mail.subject}|${m.rcptTo.sort().join()}`);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(log().includes(CANARY)).toBe(false);
    expect(smtp.received.some((m) => m.raw.includes(CANARY))).toBe(false);
  },
);
