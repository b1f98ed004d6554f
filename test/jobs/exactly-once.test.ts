import { describe, expect, test } from 'vitest';
import type { Mailer, OutgoingMessage } from '../../src/core/ports.ts';
import { enteredDaysAgo, makeWorkspace, proposal, readRows } from '../support/workspace.ts';

class Crash extends Error {}

/** A mailer that dies like a killed process: before handing the message over, or right after. */
function crashing(inner: Mailer, when: 'before-send' | 'after-send'): Mailer {
  return {
    kind: 'crashing',
    describe: () => 'crashing',
    close: () => inner.close(),
    async send(message: OutgoingMessage) {
      if (when === 'after-send') await inner.send(message);
      throw new Crash(`crashed ${when}`);
    },
  };
}

async function stalledTracker() {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
    proposal('B-2', { Stage: 'Provider Review', 'Stage Entered On': enteredDaysAgo('2026-11-23', 14) }),
  ]);
  return ws;
}

describe('exactly once', () => {
  test('running the same --now twice sends nothing new and writes nothing', async () => {
    const ws = await stalledTracker();
    const first = await ws.run('2026-11-23T08:00');
    expect(first.notifications.filter((n) => n.sent)).toHaveLength(2);
    const second = await ws.run('2026-11-23T08:00');
    expect(second.notifications).toEqual([]);
    expect(second.writes).toEqual({ cellsWritten: 0, rowsAppended: 0, missingIds: [] });
    expect(await ws.sent()).toHaveLength(2);
  });

  test('the next business day sends only what is newly due', async () => {
    const ws = await makeWorkspace();
    await ws.addProposals([
      proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
      // Provider Review has a 15-day SLA: On Track at 12 days on the 23rd, Due Soon at 13 on the 24th.
      proposal('B-2', { Stage: 'Provider Review', 'Stage Entered On': enteredDaysAgo('2026-11-23', 12) }),
    ]);
    const first = await ws.run('2026-11-23T08:00');
    expect(first.notifications.map((n) => [n.kind, n.to[0], n.bucpIds])).toEqual([
      ['reminder', 'req@dhcs.example.gov', ['B-1']],
    ]);
    const next = await ws.run('2026-11-24T08:00');
    expect(next.notifications.map((n) => [n.kind, n.to[0], n.bucpIds])).toEqual([
      ['reminder', 'prov@cdph.example.gov', ['B-2']],
    ]);
  });

  test.each(['before-send', 'after-send'] as const)(
    'a crash %s leads to exactly one email once the cycle is rerun',
    async (when) => {
      const ws = await stalledTracker();
      await expect(ws.run('2026-11-23T08:00', { mailer: crashing(ws.outbox, when) })).rejects.toThrow(Crash);
      // The intent was recorded before the send.
      const log = [...(await readRows(ws.tracker.path, 'Activity Log', 'Idempotency Key')).values()];
      expect(log.filter((e) => e.Kind === 'notification-intent').length).toBeGreaterThan(0);
      expect(log.filter((e) => e.Kind === 'notification-sent')).toEqual([]);
      const rerun = await ws.run('2026-11-23T08:30');
      expect(rerun.ok).toBe(true);
      await ws.run('2026-11-23T09:00');
      const sent = await ws.sent();
      const keys = sent.map((e) => e.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.sort()).toEqual([
        'digest:prov@cdph.example.gov:2026-11-23',
        'digest:req@dhcs.example.gov:2026-11-23',
      ]);
    },
  );

  test('a failed send is retried in the next cycle', async () => {
    const ws = await stalledTracker();
    const failing: Mailer = {
      kind: 'failing',
      describe: () => 'failing',
      close: async () => {},
      send: async () => ({ status: 'failed', error: '451 try later', permanent: false }),
    };
    const first = await ws.run('2026-11-23T08:00', { mailer: failing });
    expect(first.ok).toBe(false);
    expect(first.notifications.every((n) => n.status === 'failed')).toBe(true);
    const retry = await ws.run('2026-11-23T08:15');
    expect(retry.notifications.filter((n) => n.sent)).toHaveLength(2);
    expect(await ws.sent()).toHaveLength(2);
  });

  test('an outcome-unknown send (a relay timeout mid-message) is recorded and never resent blindly', async () => {
    const ws = await stalledTracker();
    const hanging: Mailer = {
      kind: 'hanging',
      describe: () => 'hanging',
      close: async () => {},
      send: async () => ({ status: 'unknown', error: 'Timeout' }),
    };
    const first = await ws.run('2026-11-23T08:00', { mailer: hanging });
    expect(first.ok).toBe(false);
    expect(first.notifications.map((n) => n.status)).toEqual(['unknown', 'unknown']);
    const again = await ws.run('2026-11-23T08:30');
    expect(again.notifications).toEqual([]);
    const log = [...(await readRows(ws.tracker.path, 'Activity Log', 'Idempotency Key')).values()];
    expect(log.filter((e) => e.Kind === 'notification-unknown')).toHaveLength(2);
  });

  test('a dry run plans the same notifications and writes and sends nothing', async () => {
    const ws = await stalledTracker();
    const dry = await ws.run('2026-11-23T08:00', { dryRun: true });
    expect(dry.notifications.map((n) => n.status)).toEqual(['planned', 'planned']);
    expect(await ws.sent()).toEqual([]);
    expect((await readRows(ws.tracker.path, 'Proposals', 'BUCP ID')).get('B-1')!.Status ?? null).toBeNull();
    const real = await ws.run('2026-11-23T08:00');
    expect(real.notifications.map((n) => n.idempotencyKey)).toEqual(dry.notifications.map((n) => n.idempotencyKey));
  });
});
