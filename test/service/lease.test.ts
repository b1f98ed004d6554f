import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import type { Mailer } from '../../src/core/ports.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
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
