import { afterEach, describe, expect, test } from 'vitest';
import { STORE_KINDS, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { d, enteredDaysAgo, proposal } from '../support/workspace.ts';

// Late November 2026: Mon 23, Tue 24, Wed 25, Thanksgiving 26 and 27, Mon 30, then December.
const keysOf = (report: { notifications: { idempotencyKey: string; sent: boolean }[] }) =>
  report.notifications.filter((n) => n.sent).map((n) => n.idempotencyKey);

describe.each(STORE_KINDS)('reminder repeats, cycle after cycle, on %s', (kind) => {
  afterEach(stopWorkspaces);
  test('due-soon goes once per stage visit, then stalled when the SLA passes', async () => {
    const ws = await workspaceOn(kind);
    // Drafting has a 15-day SLA: 13 business days in on Monday the 23rd is Due Soon.
    await ws.addProposals([
      proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 13) }),
    ]);
    const days: [string, string[]][] = [
      ['2026-11-23', ['digest:req@dhcs.example.gov:2026-11-23']], // b=13 Due Soon
      ['2026-11-24', []], // b=14 Due Soon, already reminded this visit
      ['2026-11-25', []], // b=15 Due Soon
      ['2026-11-26', []], // Thanksgiving: nothing is sent
      ['2026-11-30', ['digest:req@dhcs.example.gov:2026-11-30']], // b=16 Stalled
    ];
    const nextReminder: Record<string, string> = {};
    for (const [day, expected] of days) {
      expect(keysOf(await ws.run(`${day}T08:00`)), day).toEqual(expected);
      const row = (await ws.rows('Proposals', 'BUCP ID')).get('B-1')!;
      nextReminder[day] = String(row['Next Reminder On']);
    }
    // After the due-soon reminder, the next one is the first Stalled day (b=16: the 30th, past Thanksgiving);
    // after the first stalled one, five business days later.
    expect(nextReminder).toEqual({
      '2026-11-23': '2026-11-30',
      '2026-11-24': '2026-11-30',
      '2026-11-25': '2026-11-30',
      '2026-11-26': '2026-11-30',
      '2026-11-30': '2026-12-07',
    });
    const sent = await ws.sent();
    expect(sent.map((e) => e.subject)).toEqual([
      expect.stringContaining('(Due Soon)'),
      expect.stringContaining('(Stalled)'),
    ]);
  });

  test('stalled repeats every 5 business days while it stays stalled', async () => {
    const ws = await workspaceOn(kind);
    // Internal Review has a 10-day SLA: 11 business days in on 2026-12-01 is Stalled (not yet escalated until 21).
    await ws.addProposals([
      proposal('B-2', { Stage: 'Internal Review', 'Stage Entered On': enteredDaysAgo('2026-12-01', 11) }),
    ]);
    const business = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09'];
    const sentOn: string[] = [];
    for (const day of business) {
      const report = await ws.run(`${day}T08:00`);
      if (keysOf(report).length > 0) sentOn.push(day);
    }
    expect(sentOn).toEqual(['2026-12-01', '2026-12-08']);
  });

  test('escalated: one email to the sponsor with both coordinators in cc, and the digest keeps it on top', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([
      proposal('B-3', { Stage: 'Signatures', 'Stage Entered On': enteredDaysAgo('2026-11-23', 21) }), // 2×10+1
      proposal('B-4', { Stage: 'Signatures', 'Stage Entered On': enteredDaysAgo('2026-11-23', 9) }), // Due Soon
    ]);
    const first = await ws.run('2026-11-23T08:00');
    const escalations = first.notifications.filter((n) => n.kind === 'escalation');
    expect(escalations).toEqual([
      expect.objectContaining({
        to: ['sponsor@dhcs.example.gov'],
        cc: ['req@dhcs.example.gov', 'prov@cdph.example.gov'],
        bucpIds: ['B-3'],
        sent: true,
      }),
    ]);
    // Signatures reminds both coordinators: one digest each, with B-3 (Escalated) before B-4 (Due Soon).
    const digests = first.notifications.filter((n) => n.kind === 'reminder');
    expect(digests.map((n) => n.to[0]).sort()).toEqual(['prov@cdph.example.gov', 'req@dhcs.example.gov']);
    expect(digests.every((n) => n.bucpIds.join() === 'B-3,B-4')).toBe(true);
    const eml = await ws.readOutboxFile((await ws.sent()).find((e) => e.kind === 'reminder')!.file);
    expect(eml.indexOf('Escalated (1)')).toBeGreaterThan(-1);
    expect(eml.indexOf('Escalated (1)')).toBeLessThan(eml.indexOf('Due Soon (1)'));
    // The next days: no second escalation; the stalled repeat comes back five business days later.
    const later: string[] = [];
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-30', '2026-12-01', '2026-12-02']) {
      later.push(...keysOf(await ws.run(`${day}T08:00`)).map((k) => `${day} ${k.split(':')[0]}`));
    }
    expect(later.filter((k) => k.includes('escalation'))).toEqual([]);
    expect(later).toContain('2026-12-02 digest');
  });

  test('with no sponsor the escalation goes to the governance liaison', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([
      proposal('B-5', { 'Sponsor Email': null, Stage: 'Filed', 'Stage Entered On': enteredDaysAgo('2026-11-23', 11) }),
    ]);
    const report = await ws.run('2026-11-23T08:00');
    expect(report.notifications.find((n) => n.kind === 'escalation')).toMatchObject({
      to: ['liaison@chhs.example.gov'],
      cc: ['req@dhcs.example.gov', 'prov@cdph.example.gov'],
    });
  });

  test('one digest per coordinator per day, whatever the number of proposals', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals(
      Array.from({ length: 6 }, (_, i) =>
        proposal(`B-1${i}`, { Stage: 'Concept', 'Stage Entered On': enteredDaysAgo('2026-11-23', 18 + i * 4) }),
      ),
    );
    const report = await ws.run('2026-11-23T08:00');
    const digests = report.notifications.filter((n) => n.kind === 'reminder');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.bucpIds).toHaveLength(6);
    // A proposal that becomes due later the same day waits for the next business day.
    await ws.addProposals([
      proposal('B-20', { Stage: 'Concept', 'Stage Entered On': enteredDaysAgo('2026-11-23', 25) }),
    ]);
    expect(keysOf(await ws.run('2026-11-23T14:00'))).toEqual([]);
    const next = await ws.run('2026-11-24T08:00');
    expect(next.notifications.find((n) => n.kind === 'reminder')?.bucpIds).toEqual(['B-20']);
  });

  test('a new stage visit starts the reminder levels afresh', async () => {
    const ws = await workspaceOn(kind, { slas: { Fulfillment: 3 } });
    await ws.addProposals([proposal('B-6', { Stage: 'Filed', 'Stage Entered On': enteredDaysAgo('2026-11-23', 3) })]);
    expect(keysOf(await ws.run('2026-11-23T08:00'))).toHaveLength(1); // Filed SLA 5: b=3 Due Soon
    expect(keysOf(await ws.run('2026-11-24T08:00'))).toHaveLength(0);
    // Staff move it on to Fulfillment (SLA 3 in this config) as of yesterday: Due Soon again, in a new visit.
    await ws.editRow('Proposals', 'BUCP ID', 'B-6', {
      Stage: 'Fulfillment',
      'Stage Entered On': d('2026-11-24'),
    });
    const report = await ws.run('2026-11-25T08:00');
    expect(report.findings[0]).toMatchObject({ stage: 'Fulfillment', status: 'Due Soon', businessDaysInStage: 1 });
    expect(keysOf(report)).toEqual(['digest:prov@cdph.example.gov:2026-11-25']);
  });

  test('an overdue next action reminds its owner once, then every 5 business days', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([
      proposal('B-7', {
        Stage: 'Drafting',
        'Stage Entered On': d('2026-11-20'),
        'Next Action': 'Send the revised draft',
        'Next Action Owner Email': 'owner@dhcs.example.gov',
        'Next Action Due': d('2026-11-20'),
      }),
    ]);
    const sentOn: string[] = [];
    for (const day of ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-30', '2026-12-01', '2026-12-02']) {
      const report = await ws.run(`${day}T08:00`);
      for (const n of report.notifications.filter((x) => x.sent)) sentOn.push(`${day} ${n.kind} ${n.to[0]}`);
    }
    expect(sentOn).toEqual([
      '2026-11-23 next-action owner@dhcs.example.gov',
      '2026-12-02 next-action owner@dhcs.example.gov',
    ]);
  });

  test('nothing is sent on weekends or holidays, and the next business day catches up', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([
      proposal('B-8', { Stage: 'Concept', 'Stage Entered On': enteredDaysAgo('2026-11-25', 25) }),
    ]);
    for (const day of ['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']) {
      const report = await ws.run(`${day}T08:00`);
      expect(report.businessDay).toBe(false);
      expect(report.notifications).toEqual([]);
    }
    expect(keysOf(await ws.run('2026-11-30T08:00'))).toEqual(['digest:req@dhcs.example.gov:2026-11-30']);
  });
});
