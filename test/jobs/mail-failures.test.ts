import { afterEach, describe, expect, test } from 'vitest';
import { mailerOnRelay } from '../support/smtp-server.ts';
import { STORE_KINDS, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { enteredDaysAgo, proposal } from '../support/workspace.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await stopWorkspaces();
});

/** A real SMTP relay that refuses one address for good (550) and another for now (451). */
async function relay() {
  const accepted: string[] = [];
  const { mailer, close } = await mailerOnRelay({
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce@'))
        return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      if (address.address.startsWith('busy@'))
        return callback(Object.assign(new Error('Mailbox busy'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
      stream.resume();
    },
  });
  closers.push(close);
  return { mailer, accepted };
}

describe.each(STORE_KINDS)('mail failures, on %s', (kind) => {
  test('a 550 is retried with a growing wait, shown on the Issues tab, and given up after five tries', async () => {
    const ws = await workspaceOn(kind);
    const { mailer, accepted } = await relay();
    await ws.addProposals([
      proposal('B-1', {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 20),
        'Requesting Coordinator Email': 'bounce@dhcs.example.gov',
        'Sponsor Email': null,
      }),
      proposal('B-2', {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 20),
        'Requesting Coordinator Email': 'ok@dhcs.example.gov',
        'Sponsor Email': null,
      }),
    ]);
    const statusAt = async (time: string) => {
      const report = await ws.run(`2026-11-23T${time}`, { mailer });
      return (
        report.notifications.filter((n) => n.to[0] === 'bounce@dhcs.example.gov').map((n) => n.status)[0] ?? 'none'
      );
    };
    // Tries at 8:00; then waits of 30, 60, 120 and 240 minutes between the next ones.
    const timeline: [string, string][] = [
      ['08:00', 'failed'],
      ['08:15', 'deferred'],
      ['08:31', 'failed'],
      ['09:00', 'deferred'],
      ['09:32', 'failed'],
      ['11:33', 'failed'],
      ['15:00', 'deferred'],
      ['15:34', 'failed'],
      ['15:40', 'given-up'],
      ['17:00', 'given-up'],
    ];
    for (const [time, expected] of timeline) expect(await statusAt(time), time).toBe(expected);
    expect(accepted.filter((a) => a === 'ok@dhcs.example.gov')).toHaveLength(1);
    const last = await ws.run('2026-11-23T17:30', { mailer });
    expect(last).toMatchObject({ pendingNotifications: 0, failedNotifications: 1 });
    expect(accepted).not.toContain('bounce@dhcs.example.gov');

    const issues = await ws.lines('Issues');
    expect(issues).toContainEqual(
      expect.objectContaining({
        Severity: 'error',
        ID: 'B-1',
        Message: expect.stringMatching(
          /to bounce@dhcs\.example\.gov about B-1 failed 5 times \(550 .*No such user\); it will not be retried/,
        ),
      }),
    );
    const failures = (await ws.lines('Activity Log')).filter((e) => e.Kind === 'notification-failed');
    expect(failures).toHaveLength(5);
    expect(String(failures[0]!.Detail)).toMatch(/^permanent: 550/);
  });

  test('a 451 is retried on the very next cycle', async () => {
    const ws = await workspaceOn(kind);
    const { mailer } = await relay();
    await ws.addProposals([
      proposal('B-1', {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 20),
        'Requesting Coordinator Email': 'busy@dhcs.example.gov',
        'Sponsor Email': null,
      }),
    ]);
    const first = await ws.run('2026-11-23T08:00', { mailer });
    expect(first.notifications.map((n) => n.status)).toEqual(['failed']);
    const second = await ws.run('2026-11-23T08:15', { mailer });
    expect(second.notifications.map((n) => n.status)).toEqual(['failed']);
    const log = await ws.lines('Activity Log');
    expect(log.filter((e) => e.Kind === 'notification-failed').map((e) => String(e.Detail).slice(0, 14))).toEqual([
      'temporary: 451',
      'temporary: 451',
    ]);
  });
});
