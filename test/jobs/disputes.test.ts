import { afterEach, describe, expect, test } from 'vitest';
import { STORE_KINDS, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { d, enteredDaysAgo, proposal } from '../support/workspace.ts';

const dispute = (id: string, fields: Record<string, string | Date | null>) => ({
  'Dispute ID': id,
  'BUCP ID': 'B-1',
  Category: 'Provider Objection',
  Decision: 'Pending',
  ...fields,
});

describe.each(STORE_KINDS)('dispute escalation, level by level, on %s', (kind) => {
  afterEach(stopWorkspaces);
  test.each([
    // level, business days at level on 2026-11-23, expected next-level contact (null: none)
    ['Data Coordinators', 10, null],
    ['Data Coordinators', 11, 'rms@chhs.example.gov'],
    ['Risk Management Subcommittee', 11, 'gac@chhs.example.gov'],
    ['Governance Advisory Council', 11, 'exec@chhs.example.gov'],
    ['Executive Council', 30, null],
  ] as const)('at %s for %i business days → %s', async (level, days, contact) => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([proposal('B-1', { Stage: 'Provider Review', 'Stage Entered On': d('2026-11-20') })]);
    await ws.addDisputes([
      dispute('D-1', {
        'Raised On': d('2026-09-01'),
        Level: level,
        'Level Entered On': enteredDaysAgo('2026-11-23', days),
      }),
    ]);
    const report = await ws.run('2026-11-23T08:00');
    const escalations = report.notifications.filter((n) => n.kind === 'dispute-escalation');
    if (contact === null) {
      expect(escalations).toEqual([]);
    } else {
      expect(escalations).toEqual([
        expect.objectContaining({
          to: [contact],
          cc: ['req@dhcs.example.gov', 'prov@cdph.example.gov', 'liaison@chhs.example.gov'],
          disputeId: 'D-1',
          idempotencyKey: `dispute-escalation:D-1:${level}`,
          sent: true,
        }),
      ]);
    }
    const row = (await ws.rows('Disputes', 'Dispute ID')).get('D-1')!;
    expect(row['Business Days at Level']).toBe(days);
    expect(row.Status).toBe(contact ? 'Escalated' : level === 'Executive Council' ? 'At Top Level' : 'Open');
    expect(row['Escalated To'] ?? null).toBe(contact);
  });

  test('once per (dispute, level): again only when staff move it up and it sits too long there too', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([proposal('B-1', { Stage: 'Provider Review', 'Stage Entered On': d('2026-11-20') })]);
    // Raised On counts as the first level's start when no Level Entered On is given.
    await ws.addDisputes([
      dispute('D-2', { 'Raised On': enteredDaysAgo('2026-11-23', 11), Level: 'Data Coordinators' }),
    ]);
    const sends: string[] = [];
    const run = async (day: string) => {
      const report = await ws.run(`${day}T08:00`);
      sends.push(...report.notifications.filter((n) => n.sent).map((n) => `${day} ${n.to[0]}`));
    };
    await run('2026-11-23');
    await run('2026-11-24');
    await ws.editRow('Disputes', 'Dispute ID', 'D-2', {
      Level: 'Risk Management Subcommittee',
      'Level Entered On': d('2026-11-24'),
    });
    await run('2026-11-25');
    await run('2026-12-10'); // 10 business days at RMS (Thanksgiving and the day after do not count): not yet
    await run('2026-12-11'); // 11: to the Governance Advisory Council
    await run('2026-12-14');
    expect(sends.filter((s) => !s.includes('@dhcs') && !s.includes('@cdph'))).toEqual([
      '2026-11-23 rms@chhs.example.gov',
      '2026-12-11 gac@chhs.example.gov',
    ]);
    const row = (await ws.rows('Disputes', 'Dispute ID')).get('D-2')!;
    expect(row['Escalated To']).toBe('gac@chhs.example.gov');
    expect(row['Escalated On']).toBe('2026-12-11');
  });

  test('a resolved dispute is never escalated', async () => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([proposal('B-1')]);
    await ws.addDisputes([
      dispute('D-3', { 'Raised On': d('2026-09-01'), 'Resolved On': d('2026-10-01'), Decision: 'Modified' }),
      dispute('D-4', { 'Raised On': d('2026-09-01'), Decision: 'Denied' }),
    ]);
    const report = await ws.run('2026-11-23T08:00');
    expect(report.notifications.filter((n) => n.kind === 'dispute-escalation')).toEqual([]);
    expect(report.disputes.map((x) => x.status)).toEqual(['Resolved', 'Resolved']);
  });
});
