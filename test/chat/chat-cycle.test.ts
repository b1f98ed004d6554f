import { afterEach, beforeEach, expect, test } from 'vitest';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import { type ChatRig, chatRig } from '../support/chat-run.ts';
import { d, enteredDaysAgo, proposal, readAllRows } from '../support/workspace.ts';

let rig: ChatRig;
beforeEach(async () => {
  rig = await chatRig();
  await rig.addProposals([
    // Past twice its SLA of 15 on the first day.
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 31) }),
    // Provider Review's SLA is 15: 30 business days on Monday, past twice the SLA on Tuesday.
    proposal('B-2', { Stage: 'Provider Review', 'Stage Entered On': enteredDaysAgo('2026-11-23', 30) }),
    proposal('B-3', { Stage: 'Concept', 'Stage Entered On': enteredDaysAgo('2026-11-23', 2) }),
  ]);
  await rig.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': d('2026-09-01'),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
});
afterEach(async () => {
  await rig.stop();
});

/** The chat posts of one channel in a cycle's report, as `kind:subject` with the proposals or dispute they are about. */
function chatOf(report: CycleReport, channel: string, kind: string) {
  return report.chat
    .filter((p) => p.channel === channel && p.kind === kind)
    .map((p) => ({ bucpIds: [...p.bucpIds], disputeId: p.disputeId, sent: p.sent }));
}
function mailOf(report: CycleReport, kind: string) {
  return report.notifications
    .filter((n) => n.kind === kind)
    .map((n) => ({ bucpIds: [...n.bucpIds], disputeId: n.disputeId, sent: n.sent }));
}

async function activity() {
  return readAllRows(rig.config.store.kind === 'xlsx' ? rig.config.store.path : '', 'Activity Log');
}
async function issues() {
  return readAllRows(rig.config.store.kind === 'xlsx' ? rig.config.store.path : '', 'Issues');
}

test('over several days each post goes out once, a rerun posts nothing, failures are retried or reported, and posts agree with emails', async () => {
  // Monday: an escalation, a dispute escalation, the weekly digest and the board, on both channels.
  const monday = await rig.run('2026-11-23T08:00');
  for (const channel of ['data-sharing-team', 'agency-space']) {
    expect(chatOf(monday, channel, 'escalation')).toEqual(mailOf(monday, 'escalation'));
    expect(chatOf(monday, channel, 'dispute-escalation')).toEqual(mailOf(monday, 'dispute-escalation'));
    expect(chatOf(monday, channel, 'manager-digest')).toEqual(mailOf(monday, 'manager-digest'));
    expect(chatOf(monday, channel, 'daily-board')).toHaveLength(1);
  }
  expect(mailOf(monday, 'escalation')).toEqual([{ bucpIds: ['B-1'], disputeId: null, sent: true }]);
  expect(mailOf(monday, 'dispute-escalation')).toHaveLength(1);
  expect(rig.teams.posts).toHaveLength(4);
  expect(rig.google.posts).toHaveLength(4);

  // The same cycle again, and a later one the same day: nothing is posted twice.
  const rerun = await rig.run('2026-11-23T08:00');
  expect(rerun.chat).toEqual([]);
  await rig.run('2026-11-23T15:00');
  expect(rig.teams.posts).toHaveLength(4);
  expect(rig.google.posts).toHaveLength(4);

  // Tuesday: B-2 escalates. Teams first asks to wait a second; the Google Chat webhook was deleted.
  rig.teams.answer({ status: 429, retryAfter: '1' });
  rig.google.answer({ status: 404 });
  const tuesday = await rig.run('2026-11-24T08:00');
  expect(mailOf(tuesday, 'escalation')).toEqual([{ bucpIds: ['B-2'], disputeId: null, sent: true }]);
  expect(chatOf(tuesday, 'data-sharing-team', 'escalation')).toEqual(mailOf(tuesday, 'escalation'));
  expect(chatOf(tuesday, 'agency-space', 'escalation')).toEqual([{ bucpIds: ['B-2'], disputeId: null, sent: false }]);
  const [refused, retried] = [rig.teams.posts.at(-3)!, rig.teams.posts.at(-2)!];
  expect(retried.text).toBe(refused.text);
  expect(retried.at - refused.at).toBeGreaterThanOrEqual(950);
  expect(rig.teams.posts).toHaveLength(4 + 3); // 429, then the escalation, then the board
  expect(rig.google.posts).toHaveLength(4 + 2); // 404 (never tried again that cycle), then the board

  const issue = (await issues()).find((row) => row.Column === 'Chat');
  expect(issue).toMatchObject({ ID: 'B-2', Severity: 'error' });
  expect(String(issue!.Message)).toContain('agency-space');
  expect(String(issue!.Message)).toContain('404');
  expect(String(issue!.Message)).toContain('BUCP_GCHAT_WEBHOOK_URL');

  // Wednesday: the refused post waited out its backoff and goes out; nothing else is repeated.
  const wednesday = await rig.run('2026-11-25T08:00');
  expect(chatOf(wednesday, 'agency-space', 'escalation')).toEqual([{ bucpIds: ['B-2'], disputeId: null, sent: true }]);
  expect(chatOf(wednesday, 'data-sharing-team', 'escalation')).toEqual([]);
  expect(wednesday.chat.map((p) => p.kind).sort()).toEqual(['daily-board', 'daily-board', 'escalation']);
  expect((await issues()).some((row) => row.Column === 'Chat')).toBe(false);

  // Thanksgiving and the day after are state holidays: no board, no posts.
  const thursday = await rig.run('2026-11-26T08:00');
  expect(thursday.chat).toEqual([]);

  // Each post is on record as sent exactly once, under its own key.
  const sent = (await activity()).filter(
    (row) => row.Kind === 'notification-sent' && String(row.To).startsWith('chat:'),
  );
  const keys = sent.map((row) => String(row['Idempotency Key']));
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.filter((k) => k.startsWith('chat:agency-space:'))).toHaveLength(4 + 2 + 1);
  expect(keys.filter((k) => k.startsWith('chat:data-sharing-team:'))).toHaveLength(4 + 2 + 1);
  expect(keys).toContain('chat:data-sharing-team:daily-board:2026-11-23');
  expect(keys).toContain('chat:agency-space:manager-digest:2026-W48');
});

class Crash extends Error {}

test('a crash between the post and its record posts it again next cycle, with the same content', async () => {
  // Dies like a killed process right after the Teams flow accepted the first post.
  const crashing = new Map(
    [...rig.senders].map(([name, sender]) => [
      name,
      {
        kind: sender.kind,
        channel: sender.channel,
        describe: () => sender.describe(),
        post: async (post: Parameters<typeof sender.post>[0]) => {
          await sender.post(post);
          throw new Crash('killed after the post');
        },
      },
    ]),
  );
  await expect(rig.run('2026-11-23T08:00', { chat: crashing })).rejects.toThrow(Crash);
  expect(rig.teams.posts).toHaveLength(1);
  const log = await activity();
  const key = String(
    log.find((r) => r.Kind === 'notification-intent' && String(r.To) === 'chat:data-sharing-team')!['Idempotency Key'],
  );
  expect(log.some((r) => r.Kind === 'notification-sent' && r['Idempotency Key'] === key)).toBe(false);

  // The restart, minutes later: the intent has no outcome, so the post goes again, byte for byte.
  await rig.run('2026-11-23T08:10');
  const again = rig.teams.posts.filter((p) => p.text === rig.teams.posts[0]!.text);
  expect(again).toHaveLength(2);
  expect(rig.teams.posts).toHaveLength(1 + 4);
  // And once recorded, never again.
  await rig.run('2026-11-23T09:00');
  expect(rig.teams.posts).toHaveLength(1 + 4);
});
