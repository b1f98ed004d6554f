import { afterEach, describe, expect, test } from 'vitest';
import type { Mailer, OutgoingMessage } from '../../src/core/ports.ts';
import { RecordingMailer, lineTimesByKey } from '../support/recording-mailer.ts';
import { STORE_KINDS, type StoreKind, type StoreWorkspace, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { enteredDaysAgo, proposal } from '../support/workspace.ts';

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

const PROV = 'digest:prov@cdph.example.gov:2026-11-23';
const REQ = 'digest:req@dhcs.example.gov:2026-11-23';

/** Every Activity Log line, repeats included. */
const activityLog = (ws: StoreWorkspace) => ws.lines('Activity Log');

/** Each send call as [key, status, duplicate]: a key the outbox already held comes back as a duplicate. */
function callsOf(mailer: RecordingMailer) {
  return mailer.calls.map(({ key, outcome }) => [
    key,
    outcome?.status,
    outcome?.status === 'sent' ? (outcome.duplicate ?? false) : undefined,
  ]);
}

async function stalledTracker(kind: StoreKind) {
  const ws = await workspaceOn(kind);
  await ws.addProposals([
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
    proposal('B-2', { Stage: 'Provider Review', 'Stage Entered On': enteredDaysAgo('2026-11-23', 14) }),
  ]);
  return ws;
}

describe.each(STORE_KINDS)('exactly once, on %s', (kind) => {
  afterEach(stopWorkspaces);
  test('running the same --now twice sends nothing new and writes nothing', async () => {
    const ws = await stalledTracker(kind);
    const mailer = new RecordingMailer(ws.outbox);
    const first = await ws.run('2026-11-23T08:00', { mailer });
    expect(first.notifications.filter((n) => n.sent)).toHaveLength(2);
    const second = await ws.run('2026-11-23T08:00', { mailer });
    expect(second.notifications).toEqual([]);
    expect(second.writes).toEqual({ cellsWritten: 0, rowsAppended: 0, missingIds: [] });
    expect(await ws.sent()).toHaveLength(2);
    // The second run asked the mailer for nothing, and the log records each send once.
    expect(mailer.timesAsked()).toEqual({ [PROV]: 1, [REQ]: 1 });
    const at = '2026-11-23T08:00:00-08:00';
    expect(lineTimesByKey(await activityLog(ws), 'notification-sent')).toEqual({ [PROV]: [at], [REQ]: [at] });
  });

  test('the next business day sends only what is newly due', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([
      proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
      // Provider Review has a 15-day SLA: On Track at 12 days on the 23rd, Due Soon at 13 on the 24th.
      proposal('B-2', { Stage: 'Provider Review', 'Stage Entered On': enteredDaysAgo('2026-11-23', 12) }),
    ]);
    const mailer = new RecordingMailer(ws.outbox);
    const first = await ws.run('2026-11-23T08:00', { mailer });
    expect(first.notifications.map((n) => [n.kind, n.to[0], n.bucpIds])).toEqual([
      ['reminder', 'req@dhcs.example.gov', ['B-1']],
    ]);
    const next = await ws.run('2026-11-24T08:00', { mailer });
    expect(next.notifications.map((n) => [n.kind, n.to[0], n.bucpIds])).toEqual([
      ['reminder', 'prov@cdph.example.gov', ['B-2']],
    ]);
    expect(callsOf(mailer)).toEqual([
      [REQ, 'sent', false],
      ['digest:prov@cdph.example.gov:2026-11-24', 'sent', false],
    ]);
  });

  test.each(['before-send', 'after-send'] as const)(
    'a crash %s leads to exactly one email once the cycle is rerun',
    async (when) => {
      const ws = await stalledTracker(kind);
      const mailer = new RecordingMailer(ws.outbox);
      await expect(ws.run('2026-11-23T08:00', { mailer: crashing(mailer, when) })).rejects.toThrow(Crash);
      // The intents were recorded before the send, and nothing after it.
      const at = '2026-11-23T08:00:00-08:00';
      const crashed = await activityLog(ws);
      expect(lineTimesByKey(crashed, 'notification-intent')).toEqual({ [PROV]: [at], [REQ]: [at] });
      expect(lineTimesByKey(crashed, 'notification-sent')).toEqual({});
      const rerun = await ws.run('2026-11-23T08:30', { mailer });
      expect(rerun.ok).toBe(true);
      const later = await ws.run('2026-11-23T09:00', { mailer });
      expect(later.notifications).toEqual([]);
      // The rerun cannot know whether the crashed send went out, so it asks again; the outbox, which
      // holds that key, sends nothing. Each key was handed over once, and nothing was asked after that.
      expect(callsOf(mailer)).toEqual(
        when === 'before-send'
          ? [
              [PROV, 'sent', false],
              [REQ, 'sent', false],
            ]
          : [
              [PROV, 'sent', false],
              [PROV, 'sent', true],
              [REQ, 'sent', false],
            ],
      );
      const rerunAt = '2026-11-23T08:30:00-08:00';
      expect(lineTimesByKey(await activityLog(ws), 'notification-sent')).toEqual({
        [PROV]: [rerunAt],
        [REQ]: [rerunAt],
      });
      expect((await ws.sent()).map((e) => e.key).sort()).toEqual([PROV, REQ]);
    },
  );

  test('a failed send is retried in the next cycle', async () => {
    const ws = await stalledTracker(kind);
    const failing: Mailer = {
      kind: 'failing',
      describe: () => 'failing',
      close: async () => {},
      send: async () => ({ status: 'failed', error: '451 try later', permanent: false }),
    };
    const first = await ws.run('2026-11-23T08:00', { mailer: failing });
    expect(first.ok).toBe(false);
    expect(first.notifications.every((n) => n.status === 'failed')).toBe(true);
    const mailer = new RecordingMailer(ws.outbox);
    const retry = await ws.run('2026-11-23T08:15', { mailer });
    expect(retry.notifications.filter((n) => n.sent)).toHaveLength(2);
    await ws.run('2026-11-23T09:00', { mailer });
    expect(callsOf(mailer)).toEqual([
      [PROV, 'sent', false],
      [REQ, 'sent', false],
    ]);
    const log = await activityLog(ws);
    const at = '2026-11-23T08:00:00-08:00';
    const retryAt = '2026-11-23T08:15:00-08:00';
    expect(lineTimesByKey(log, 'notification-failed')).toEqual({ [PROV]: [at], [REQ]: [at] });
    expect(lineTimesByKey(log, 'notification-sent')).toEqual({ [PROV]: [retryAt], [REQ]: [retryAt] });
    expect(await ws.sent()).toHaveLength(2);
  });

  test('an outcome-unknown send (a relay timeout mid-message) is recorded and never resent blindly', async () => {
    const ws = await stalledTracker(kind);
    const hanging: Mailer = {
      kind: 'hanging',
      describe: () => 'hanging',
      close: async () => {},
      send: async () => ({ status: 'unknown', error: 'Timeout' }),
    };
    const first = await ws.run('2026-11-23T08:00', { mailer: hanging });
    expect(first.ok).toBe(false);
    expect(first.notifications.map((n) => n.status)).toEqual(['unknown', 'unknown']);
    const mailer = new RecordingMailer(ws.outbox);
    const again = await ws.run('2026-11-23T08:30', { mailer });
    expect(again.notifications).toEqual([]);
    expect(mailer.calls).toEqual([]);
    const log = await activityLog(ws);
    const at = '2026-11-23T08:00:00-08:00';
    expect(lineTimesByKey(log, 'notification-unknown')).toEqual({ [PROV]: [at], [REQ]: [at] });
    expect(lineTimesByKey(log, 'notification-sent')).toEqual({});
  });

  test('a dry run plans the same notifications and writes and sends nothing', async () => {
    const ws = await stalledTracker(kind);
    const mailer = new RecordingMailer(ws.outbox);
    const dry = await ws.run('2026-11-23T08:00', { dryRun: true, mailer });
    expect(dry.notifications.map((n) => n.status)).toEqual(['planned', 'planned']);
    expect(mailer.calls).toEqual([]);
    expect(await ws.sent()).toEqual([]);
    expect((await ws.rows('Proposals', 'BUCP ID')).get('B-1')!.Status ?? null).toBeNull();
    const real = await ws.run('2026-11-23T08:00');
    expect(real.notifications.map((n) => n.idempotencyKey)).toEqual(dry.notifications.map((n) => n.idempotencyKey));
  });
});
