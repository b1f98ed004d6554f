import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, test } from 'vitest';
import { STORE_KINDS, type StoreKind, type StoreWorkspace, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { CONTACTS, enteredDaysAgo, proposal } from '../support/workspace.ts';

const manager = 'deputy.secretary@chhs.example.gov';

async function tracker(kind: StoreKind) {
  const ws = await workspaceOn(kind, { contacts: { ...CONTACTS, managers: [manager] } });
  await ws.addProposals([
    proposal('B-1', {
      Stage: 'Drafting',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 40),
      'Use Case Name': 'Long stuck',
    }),
    proposal('B-2', {
      Stage: 'Filed',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 7),
      'Use Case Name': 'A bit late',
    }),
    proposal('B-3', {
      Stage: 'Concept',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 2),
      'Use Case Name': 'Fresh',
    }),
  ]);
  await ws.addRestricted([{ 'BUCP ID': 'B-2' }]);
  return ws;
}

const digests = async (ws: StoreWorkspace) =>
  (await ws.sent()).filter((e) => e.kind === 'manager-digest').map((e) => e.key);

describe.each(STORE_KINDS)('manager digest, on %s', (kind) => {
  afterEach(stopWorkspaces);
  test('managers get the weekly digest once a week, with the most overdue proposals first', async () => {
    const ws = await tracker(kind);
    await ws.run('2026-11-23T08:00'); // Monday
    await ws.run('2026-11-24T08:00');
    await ws.run('2026-11-25T08:00');
    expect(await digests(ws)).toEqual([`manager-digest:${manager}:2026-W48`]);
    await ws.run('2026-11-30T08:00'); // the next Monday
    expect(await digests(ws)).toEqual([`manager-digest:${manager}:2026-W48`, `manager-digest:${manager}:2026-W49`]);

    const entry = (await ws.sent()).find((e) => e.kind === 'manager-digest')!;
    const mail = await simpleParser(await ws.readOutboxFile(entry.file));
    expect(mail.subject).toBe('BUCP weekly digest 2026-W48: 2 proposals past their SLA');
    const text = mail.text ?? '';
    expect(text).toMatch(/Proposals: 3 \(3 valid, 0 with errors\)/);
    expect(text.indexOf('B-1: Long stuck')).toBeGreaterThan(-1);
    expect(text.indexOf('B-1: Long stuck')).toBeLessThan(text.indexOf('B-2: A bit late'));
    expect(text).not.toContain('B-3');
    expect(mail.html).toContain('Most overdue proposals');
  });

  test('a service that was down on Monday sends the week’s digest on its first cycle after', async () => {
    const ws = await tracker(kind);
    await ws.run('2026-11-25T10:00'); // Wednesday
    expect(await digests(ws)).toEqual([`manager-digest:${manager}:2026-W48`]);
    await ws.run('2026-11-28T10:00'); // Saturday: nothing is sent on weekends
    expect(await digests(ws)).toHaveLength(1);
  });
});
