import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import type { LeaseControl, Mailer, TrackerStore } from '../../src/core/ports.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { type RunnerStatus, ServiceRunner } from '../../src/service/runner.ts';
import { startStatusServer } from '../../src/service/status-server.ts';
import { FileLease, holderIsGone, leaseHolder } from '../../src/stores/file-lease.ts';
import { enteredDaysAgo, localTime, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

async function leaseFile() {
  return path.join(await mkdtemp(path.join(os.tmpdir(), 'bucp-lease-')), 'tracker.xlsx.lease.json');
}

test('one holder at a time: taken, refused, renewed, released, taken by the other', async () => {
  const file = await leaseFile();
  const a = new FileLease(file);
  const b = new FileLease(file);
  const now = new Date();
  expect((await a.acquire('A', now, 60_000)).acquired).toBe(true);
  const refused = await b.acquire('B', now, 60_000);
  expect(refused).toMatchObject({ acquired: false, lease: { holder: 'A' } });
  expect(await a.renew('A', now, 60_000)).toBe(true);
  expect(await b.renew('B', now, 60_000)).toBe(false);
  await b.release('B'); // not B's to release
  expect((await b.acquire('B', now, 60_000)).acquired).toBe(false);
  await a.release('A');
  expect((await b.acquire('B', now, 60_000)).acquired).toBe(true);
});

test('a crashed holder’s lease expires and another instance takes over', async () => {
  const file = await leaseFile();
  const crashed = new FileLease(file);
  expect((await crashed.acquire('crashed', new Date(), 50)).acquired).toBe(true);
  await sleep(80);
  const next = new FileLease(file);
  expect((await next.acquire('next', new Date(), 60_000)).acquired).toBe(true);
  expect(await crashed.renew('crashed', new Date(), 60_000)).toBe(false);
});

test('ten instances racing for a free or an expired lease: exactly one wins each time', async () => {
  for (const expired of [false, true, false, true, true, true, true, true]) {
    const file = await leaseFile();
    if (expired) {
      await new FileLease(file).acquire('old', new Date(), 1);
      await sleep(10);
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new FileLease(file).acquire(`I-${i}`, new Date(), 60_000)),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  }
});

test('a second runner on the same tracker skips its tick while the first holds the lease', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
  const slow: Mailer = {
    kind: 'slow',
    describe: () => 'slow outbox',
    close: async () => {},
    send: async (message) => {
      await sleep(400);
      return ws.outbox.send(message);
    },
  };
  const deps = {
    config: ws.config,
    store: ws.tracker,
    restricted: ws.restricted,
    templates: await MailTemplates.load(),
    logger: createLogger({ destination: { write: () => true } }),
  };
  const clock = () => localTime('2026-11-23T09:10');
  const first = new ServiceRunner({ deps: { ...deps, mailer: slow }, clock });
  const second = new ServiceRunner({ deps: { ...deps, mailer: ws.outbox }, clock });
  const running = first.tick();
  await sleep(150);
  expect(await second.tick()).toBeNull();
  expect(second.status()).toMatchObject({ skippedForLease: 1, lease: { holder: first.status().holder } });
  expect((await running)?.notifications.filter((n) => n.sent)).toHaveLength(1);
  // Released at the end: the second instance can run now, and finds nothing left to send.
  const after = await second.tick();
  expect(after?.notifications).toEqual([]);
  const sent = (await readAllRows(ws.tracker.path, 'Activity Log')).filter((e) => e.Kind === 'notification-sent');
  expect(sent).toHaveLength(1);
});

test('a lease whose holder was a process on this machine that has died is stale at once', async () => {
  const file = await leaseFile();
  const { spawnSync } = await import('node:child_process');
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid; // a PID that has exited
  const holder = `${os.hostname()}:${gone}:abc123`;
  expect((await new FileLease(file).acquire(holder, new Date(), 600_000)).acquired).toBe(true);
  const restarted = await new FileLease(file).acquire(`${os.hostname()}:${process.pid}:def456`, new Date(), 600_000);
  expect(restarted.acquired).toBe(true);
  // A live holder on this machine, or one on another machine, is respected.
  const live = await new FileLease(file).acquire(`${os.hostname()}:${process.pid}:other`, new Date(), 600_000);
  expect(live.acquired).toBe(false);
});

test('the service and the n8n nodes name their holders alike, so a dead n8n worker on this machine frees its lease at once', async () => {
  const { spawnSync } = await import('node:child_process');
  const { holderFor } = await import('../../src/n8n/transport/index.ts');
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
  const n8nHolder = holderFor({ getExecutionId: () => '42' });
  expect(n8nHolder).toBe(leaseHolder('n8n-execution-42'));
  expect(n8nHolder.startsWith(`${os.hostname()}:${process.pid}:`)).toBe(true);
  expect(holderIsGone(n8nHolder)).toBe(false); // this process: alive
  const deadWorker = n8nHolder.replace(`:${process.pid}:`, `:${gone}:`);
  expect(holderIsGone(deadWorker)).toBe(true);
  // Taken by the dead worker, then by a restarted service, without waiting for the 10 minutes to pass.
  const file = await leaseFile();
  expect((await new FileLease(file).acquire(deadWorker, new Date(), 600_000)).acquired).toBe(true);
  expect((await new FileLease(file).acquire(leaseHolder('restarted'), new Date(), 600_000)).acquired).toBe(true);
});

/**
 * A tracker with `count` stalled proposals, each with its own requester, so a reminders tick sends
 * `count` messages, through a mailer that records each send call and can stop in one (`during`).
 */
async function leasedCycle(count: number, during: (sendNumber: number) => Promise<void> = async () => {}) {
  const ws = await makeWorkspace();
  await ws.addProposals(
    Array.from({ length: count }, (_, i) =>
      proposal(`B-${i}`, {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 20),
        'Requesting Coordinator Email': `req${i}@dhcs.example.gov`,
      }),
    ),
  );
  const sends: string[] = [];
  const mailer: Mailer = {
    kind: 'recording',
    describe: () => 'recording outbox',
    close: async () => {},
    send: async (message) => {
      sends.push(message.key);
      await during(sends.length);
      return ws.outbox.send(message);
    },
  };
  const logs: { msg: string; why?: string; err?: { message: string } }[] = [];
  const deps = {
    config: ws.config,
    store: ws.tracker as TrackerStore,
    restricted: ws.restricted,
    mailer,
    templates: await MailTemplates.load(),
    logger: createLogger({ destination: { write: (line: string) => logs.push(JSON.parse(line)) } }),
  };
  /** A runner on this tracker whose store has `lease` for a lease, and a lease that lasts `ttlMs`. */
  const runner = (lease: LeaseControl, ttlMs: number) =>
    new ServiceRunner({
      deps: { ...deps, store: withLease(ws.tracker, lease) },
      clock: () => localTime('2026-11-23T09:10'),
      leaseTtlMs: ttlMs,
    });
  const activity = async (kind: string) =>
    (await readAllRows(ws.tracker.path, 'Activity Log')).filter((e) => e.Kind === kind);
  return { ws, sends, logs, runner, activity, lines: (msg: string) => logs.filter((l) => l.msg === msg) };
}

/** The workbook store with another lease: failures are put in at the lease's boundary, around the real one. */
function withLease(store: TrackerStore, lease: LeaseControl): TrackerStore {
  return {
    kind: store.kind,
    ensureLayout: (layout) => store.ensureLayout(layout),
    read: () => store.read(),
    write: (plan) => store.write(plan),
    rowLink: (tab, id, row) => store.rowLink(tab, id, row),
    describe: () => store.describe(),
    lease,
  };
}

/** The real lease, with the first calls of some kinds failing; `calls` counts every call. */
function failing(real: LeaseControl, fail: { acquire?: number; renew?: number; release?: number }) {
  const calls = { acquire: 0, renew: 0, release: 0 };
  const maybeFail = (call: keyof typeof calls) => {
    calls[call] += 1;
    if (calls[call] <= (fail[call] ?? 0)) throw new Error(`ENOSPC: no space left on device (${call} ${calls[call]})`);
  };
  const lease: LeaseControl = {
    acquire: async (...args) => (maybeFail('acquire'), real.acquire(...args)),
    renew: async (...args) => (maybeFail('renew'), real.renew(...args)),
    release: async (...args) => (maybeFail('release'), real.release(...args)),
  };
  return { lease, calls };
}

test('a renewal that fails is retried: the cycle completes, and no rejection reaches the event loop', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    // A lease of 3 s is renewed every second: sends of 500 ms each keep the cycle going through two heartbeats.
    const cycle = await leasedCycle(4, () => sleep(500));
    const flaky = failing(cycle.ws.tracker.lease, { renew: 2 });
    const runner = cycle.runner(flaky.lease, 3000);
    const report = await runner.tick();
    expect(report?.ok).toBe(true);
    expect(cycle.sends).toHaveLength(4);
    expect(cycle.lines('renewing the lease failed; retrying until it runs out')).toHaveLength(2);
    expect(flaky.calls.renew).toBeGreaterThanOrEqual(3);
    expect(runner.status()).toMatchObject({ leaseLost: 0, leaseError: null });
    expect(await cycle.activity('notification-sent')).toHaveLength(4);
    await sleep(50);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a lease taken over during the cycle stops it before its next send and its write', async () => {
  // A lease of 3 s renewed every second; the first send takes 2 s, and meanwhile another instance takes it.
  const cycle = await leasedCycle(4, async (n) => {
    if (n !== 1) return;
    await rm(cycle.ws.tracker.lease.file);
    expect(
      (await new FileLease(cycle.ws.tracker.lease.file).acquire('elsewhere:1:other', new Date(), 60_000)).acquired,
    ).toBe(true);
    await sleep(2000);
  });
  const runner = cycle.runner(cycle.ws.tracker.lease, 3000);
  expect(await runner.tick()).toBeNull();
  // The send under way finished; no other went out, and nothing more was written: intents only.
  expect(cycle.sends).toHaveLength(1);
  expect(await cycle.activity('notification-intent')).toHaveLength(4);
  expect(await cycle.activity('notification-sent')).toEqual([]);
  expect(await cycle.activity('job-run')).toEqual([]);
  const status = runner.status();
  expect(status).toMatchObject({
    leaseLost: 1,
    leaseError: { message: expect.stringMatching(/lost: another instance holds it now/) },
  });
  expect(status.jobs.find((j) => j.job === 'reminders')).toMatchObject({
    lastOutcome: 'failed',
    lastError: expect.stringMatching(/lease was lost/),
  });
  expect(cycle.lines('the lease was lost; the cycle stopped before its next write or send')).toHaveLength(1);
  // Left alone by the release: it is the other instance's now.
  expect(JSON.parse(await readFile(cycle.ws.tracker.lease.file, 'utf8'))).toMatchObject({
    holder: 'elsewhere:1:other',
  });
});

test('a lease whose renewals fail until it runs out is lost: the cycle stops before its next send', async () => {
  // Every renewal fails; the first send takes longer than the whole lease.
  const cycle = await leasedCycle(4, async (n) => {
    if (n === 1) await sleep(3500);
  });
  const runner = cycle.runner(failing(cycle.ws.tracker.lease, { renew: Infinity }).lease, 3000);
  expect(await runner.tick()).toBeNull();
  expect(cycle.sends).toHaveLength(1);
  expect(await cycle.activity('notification-sent')).toEqual([]);
  expect(cycle.lines('renewing the lease failed; retrying until it runs out').length).toBeGreaterThanOrEqual(2);
  expect(runner.status()).toMatchObject({ leaseLost: 1, leaseError: { message: expect.stringMatching(/ran out/) } });
  expect(cycle.lines('the lease was lost; the cycle stopped before its next write or send')).toHaveLength(1);
});

test('taking the lease fails: the tick is skipped, logged and shown on /status, and the next tick runs', async () => {
  const cycle = await leasedCycle(2);
  const runner = cycle.runner(failing(cycle.ws.tracker.lease, { acquire: 1 }).lease, 60_000);
  const { server, url } = await startStatusServer(() => runner.status(), { host: '127.0.0.1', port: 0 });
  try {
    expect(await runner.tick()).toBeNull();
    expect(cycle.sends).toEqual([]);
    expect(cycle.lines('the lease could not be taken; this tick is skipped')).toMatchObject([
      { err: { message: 'ENOSPC: no space left on device (acquire 1)' } },
    ]);
    const status = async () => (await (await fetch(`${url}/status`)).json()) as RunnerStatus;
    expect(await status()).toMatchObject({
      skippedForLeaseError: 1,
      leaseError: { message: 'The tracker lease could not be taken: ENOSPC: no space left on device (acquire 1)' },
      lastCycle: null,
    });
    const next = await runner.tick();
    expect(next?.notifications.filter((n) => n.sent)).toHaveLength(2);
    expect(cycle.sends).toHaveLength(2);
    expect(await status()).toMatchObject({
      skippedForLeaseError: 1,
      leaseError: null,
      lastCycle: { ok: true, sent: 2 },
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('releasing the lease fails: logged, and the tick still reports its cycle', async () => {
  const cycle = await leasedCycle(1);
  const runner = cycle.runner(failing(cycle.ws.tracker.lease, { release: 1 }).lease, 60_000);
  expect((await runner.tick())?.ok).toBe(true);
  expect(cycle.lines('the lease could not be released; it frees itself when it runs out')).toHaveLength(1);
});
