import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { readActivityLog } from '../../src/core/activity.ts';
import { TABS } from '../../src/core/contract.ts';
import { inLogOrder, packedRecord, type PackedRecord, unpackLines } from '../../src/stores/airtable/activity-log.ts';
import { leaseContract } from '../contract/lease.contract.ts';
import { type AirtableRigOptions, TEST_TOKEN, airtableWorkspace } from '../support/airtable.ts';
import { CONTACTS, enteredDaysAgo, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof airtableWorkspace>>;
const open: Workspace[] = [];
/** Processes a failed test may have left running. */
const stopping: ChildProcess[] = [];
afterEach(async () => {
  for (const child of stopping.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

async function workspace(options: AirtableRigOptions = {}): Promise<Workspace> {
  const ws = await airtableWorkspace(options);
  open.push(ws);
  return ws;
}

/** The Activity Log as the service reads it back: each event once. */
function loggedEvents(ws: Workspace) {
  const packed = ws
    .records(TABS.activity)
    .map((r) => packedRecord({ id: r.id, fields: r.fields as Record<string, unknown> }))
    .filter((r): r is PackedRecord => r !== null);
  return readActivityLog(unpackLines(inLogOrder(packed)));
}

leaseContract('Airtable', async () => {
  const ws = await airtableWorkspace();
  return {
    ...ws,
    newTracker: () => ws.newTracker(),
    // Released: the lease record (the oldest) holds no one.
    released: () => ws.records('Lease')[0]!.fields.Holder === undefined,
    shortTtlMs: 1000,
  };
});

test('contenders that all find the lease free at the same moment: exactly one wins, and all see the same winner', async () => {
  const ws = await workspace();
  const stores = [0, 1, 2].map(() => ws.newTracker());
  const results = await Promise.all(stores.map((s, i) => s.lease.acquire(`elsewhere:${i}:x`, new Date(), 60_000)));
  expect(results.filter((r) => r.acquired)).toHaveLength(1);
  expect(new Set(results.map((r) => r.lease?.holder)).size).toBe(1);
  // On first use each may have added a record of its own: the oldest is the lease, the one every contender reads.
  expect(ws.records('Lease')[0]!.fields.Holder).toBe(results[0]!.lease?.holder);
});

/** A config for `bucp serve` on the workspace's emulated bases, with an outbox, in a fresh folder. */
async function writeServeConfig(ws: Workspace): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-airtable-two-'));
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: {
        kind: 'airtable',
        baseId: ws.trackerBaseId,
        restrictedBaseId: ws.restrictedBaseId,
        endpointUrl: ws.endpointUrl,
        tokenEnv: 'BUCP_TEST_AIRTABLE_TOKEN',
      },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  return configFile;
}

/** A real `bucp serve` process: its output, its log lines (stderr) and its status page. */
function serve(configFile: string) {
  const bin = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--config', configFile, '--port', '0', '--now', '2026-11-23T09:10'],
    { env: { ...process.env, BUCP_TEST_AIRTABLE_TOKEN: TEST_TOKEN, BUCP_LOG_FORMAT: 'json' } },
  );
  let out = '';
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return {
    child,
    out: () => out,
    log: () => log,
    exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))),
    async status(): Promise<Record<string, unknown> | null> {
      const url = /Status page: (http:\/\/[^/\s]+)\/status/.exec(out)?.[1];
      return url ? ((await (await fetch(`${url}/status`)).json()) as Record<string, unknown>) : null;
    },
  };
}

test('two real bucp serve processes on one emulated base: nothing is sent twice', async () => {
  // Real processes pace on the real clock; two of them together would pass 5 a second, so no limiter here.
  const ws = await workspace({ emulator: { rateLimit: false } });
  ws.addProposals(
    Array.from({ length: 6 }, (_, i) =>
      proposal(`B-${i}`, {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 20 + i),
        'Requesting Coordinator Email': `req${i}@dhcs.example.gov`,
      }),
    ),
  );
  ws.addRestricted(Array.from({ length: 6 }, (_, i) => ({ 'BUCP ID': `B-${i}` })));
  const configFile = await writeServeConfig(ws);
  const processes = [serve(configFile), serve(configFile)];
  stopping.push(...processes.map((p) => p.child));
  const settled = async (p: (typeof processes)[number]) => {
    for (let i = 0; i < 600; i += 1) {
      const status = (await p.status().catch(() => null)) as { lastCycle: unknown; skippedForLease: number } | null;
      if (status && (status.lastCycle || status.skippedForLease > 0)) return status;
      if (p.child.exitCode !== null) throw new Error(`bucp serve exited: ${p.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never settled: ${p.out()} ${p.log()}`);
  };
  await Promise.all(processes.map(settled));
  for (const p of processes) p.child.kill('SIGTERM');
  expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);
  const sent = loggedEvents(ws)
    .filter((e) => e.kind === 'notification-sent')
    .map((e) => e.key);
  expect(sent.length).toBeGreaterThan(0);
  expect(new Set(sent).size).toBe(sent.length);
}, 60_000);

test('bucp serve stays up when its lease cannot be taken: the tick is skipped, logged and shown on /status', async () => {
  const ws = await workspace({ emulator: { rateLimit: false } });
  ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
  ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
  const configFile = await writeServeConfig(ws);
  // The first request of the first tick is the lease's: Airtable refuses it.
  ws.emulator.failNext(1, 403);
  const bucp = serve(configFile);
  stopping.push(bucp.child);
  let status: Record<string, unknown> | null = null;
  for (let i = 0; i < 300 && !(Number(status?.skippedForLeaseError) > 0); i += 1) {
    if (bucp.child.exitCode !== null) throw new Error(`bucp serve exited (${bucp.child.exitCode}): ${bucp.log()}`);
    status = await bucp.status().catch(() => null);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(status).toMatchObject({
    skippedForLeaseError: 1,
    leaseError: { message: expect.stringMatching(/^The tracker lease could not be taken: Airtable refused/) },
    lastCycle: null,
  });
  expect(bucp.log()).toContain('the lease could not be taken; this tick is skipped');
  bucp.child.kill('SIGTERM');
  expect(await bucp.exited).toBe(0);
  expect(ws.records(TABS.activity)).toEqual([]);
}, 60_000);
