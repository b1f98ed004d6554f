import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { leaseContract } from '../contract/lease.contract.ts';
import { googleWorkspace } from '../support/google.ts';
import { CONTACTS, enteredDaysAgo, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
/** Processes a failed test may have left running. */
const stopping: ChildProcess[] = [];
afterEach(async () => {
  for (const child of stopping.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

leaseContract('Google Sheets', async () => {
  const ws = await googleWorkspace({ quota: false });
  return {
    ...ws,
    newTracker: () =>
      new GoogleSheetsTrackerStore({ spreadsheetId: ws.tracker.spreadsheetId, client: ws.client, leaseSettleMs: 150 }),
    // Released: the lease row holds no one.
    released: () => (ws.emulator.sheet(ws.tracker.spreadsheetId, 'Lease').values()[1] ?? []).length === 0,
    shortTtlMs: 400,
  };
});

/** A config for `bucp serve` on the workspace's emulated spreadsheets, with an outbox, in a fresh folder. */
async function writeServeConfig(ws: Workspace): Promise<string> {
  ws.emulator.registerToken('process-token', 'bucp-tracker@test-project.iam.gserviceaccount.com');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-two-'));
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: {
        kind: 'google-sheets',
        spreadsheetId: ws.tracker.spreadsheetId,
        restrictedSpreadsheetId: ws.restricted.spreadsheetId,
        rootUrl: ws.rootUrl,
        accessTokenEnv: 'BUCP_TEST_TOKEN',
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
    {
      env: { ...process.env, BUCP_TEST_TOKEN: 'process-token', BUCP_LOG_FORMAT: 'json' },
    },
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
    /** The status page's answer, once it has one. */
    async status(): Promise<Record<string, unknown> | null> {
      const url = /Status page: (http:\/\/[^/\s]+)\/status/.exec(out)?.[1];
      return url ? ((await (await fetch(`${url}/status`)).json()) as Record<string, unknown>) : null;
    },
  };
}

test('two real bucp serve processes on one emulated spreadsheet: nothing is sent twice', async () => {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
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
    for (let i = 0; i < 300; i += 1) {
      const status = (await p.status()) as { lastCycle: unknown; skippedForLease: number } | null;
      if (status && (status.lastCycle || status.skippedForLease > 0)) return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never settled: ${p.out()}`);
  };
  await Promise.all(processes.map(settled));
  for (const p of processes) p.child.kill('SIGTERM');
  expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);
  const [header = [], ...log] = ws.emulator
    .sheet(ws.tracker.spreadsheetId, 'Activity Log')
    .values({ render: 'UNFORMATTED_VALUE' });
  const kind = header.indexOf('Kind');
  const key = header.indexOf('Idempotency Key');
  const sent = log.filter((r) => r[kind] === 'notification-sent').map((r) => String(r[key]));
  expect(sent.length).toBeGreaterThan(0);
  expect(new Set(sent).size).toBe(sent.length);
});

test('bucp serve stays up when its lease cannot be taken: the tick is skipped, logged and shown on /status', async () => {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
  ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
  const configFile = await writeServeConfig(ws);
  // The first request of the first tick is the lease's: someone took the service's access away.
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
    leaseError: {
      message: expect.stringMatching(/^The tracker lease could not be taken: Google Sheets denied access/),
    },
    lastCycle: null,
  });
  expect(bucp.log()).toContain('the lease could not be taken; this tick is skipped');
  // Still up: it answers, and stops cleanly.
  expect((await bucp.status())?.skippedForLeaseError).toBe(1);
  bucp.child.kill('SIGTERM');
  expect(await bucp.exited).toBe(0);
  expect(ws.emulator.sheet(ws.tracker.spreadsheetId, 'Activity Log').values().slice(1)).toEqual([]);
});
