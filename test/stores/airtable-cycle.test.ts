import { readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, test } from 'vitest';
import { REFERENCE_TABS, SUMMARY_TABS, TABS } from '../../src/core/contract.ts';
import { type AirtableRigOptions, airtableWorkspace } from '../support/airtable.ts';
import { enteredDaysAgo, proposal, spreadProposals } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof airtableWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

async function trackerWith(count: number, options: AirtableRigOptions = {}): Promise<Workspace> {
  const ws = await airtableWorkspace(options);
  open.push(ws);
  const { proposals, restricted } = spreadProposals(count);
  ws.addProposals(proposals);
  ws.addRestricted(restricted);
  return ws;
}

const tableId = (ws: Workspace, name: string) => (ws.emulator.tableSchema(ws.trackerBaseId, name) as { id: string }).id;

/** Calls of one API on one table of the tracker base. */
function callsOn(ws: Workspace, api: string, table: string) {
  const id = tableId(ws, table);
  return ws.emulator.calls.filter((c) => c.api === api && c.baseId === ws.trackerBaseId && c.tableId === id);
}

const lastSynced = (ws: Workspace) =>
  new Map(ws.records(TABS.proposals).map((r) => [r.id, String(r.fields['Last Synced At'] ?? '')]));

describe('requests per cycle', () => {
  test.each([10, 2000])(
    'at %i proposals: reads are ⌈N/100⌉ a table, writes ⌈changed/10⌉, no 429, and nothing new writes nothing',
    async (size) => {
      const ws = await trackerWith(size);
      await ws.run('2026-11-23T08:00'); // first sight: every record gets its system values
      const before = lastSynced(ws);
      ws.emulator.resetCalls();
      const report = await ws.run('2026-12-02T08:00'); // five business days on: every stage count moves
      expect(report.ok).toBe(true);
      expect(report.notifications.filter((n) => n.sent).length).toBeGreaterThan(0);
      const after = lastSynced(ws);
      const changed = [...after].filter(([id, at]) => before.get(id) !== at).length;
      expect(changed).toBeGreaterThan(0);

      const pages = Math.ceil(size / 100);
      expect(callsOn(ws, 'records.list', TABS.proposals)).toHaveLength(pages);
      for (const call of callsOn(ws, 'records.list', TABS.proposals)) {
        expect(call.query['pageSize']).toEqual(['100']);
        // Only the contract's fields cross the network: staff's own fields are never asked for.
        expect(call.query['fields[]']?.length).toBeGreaterThan(0);
      }
      const updates = callsOn(ws, 'records.update', TABS.proposals);
      expect(updates).toHaveLength(Math.ceil(changed / 10));
      expect(updates.reduce((n, c) => n + c.records, 0)).toBe(changed);
      // The store paces its requests: the emulator's limiter (5 a second per base) never answered 429.
      expect(ws.emulator.stats.rateLimited).toBe(0);

      ws.emulator.resetCalls();
      const again = await ws.run('2026-12-02T08:00');
      expect(again.notifications).toEqual([]);
      expect(ws.emulator.stats.writes).toBe(0);
      // A listing is one call a page, and an empty table still takes one.
      const listing = (records: number) => Math.max(1, Math.ceil(records / 100));
      expect(ws.emulator.stats.reads).toBe(
        listing(size) + // Proposals
          listing(0) + // Disputes
          listing(0) + // Tasks
          listing(ws.records(TABS.activity).length) +
          listing(ws.records(TABS.issues).length) +
          [...SUMMARY_TABS, ...REFERENCE_TABS].reduce((n, t) => n + listing(ws.records(t).length), 0) +
          listing(size), // the restricted base's BUCP IDs
      );
      // The tables and fields were listed once, on the first cycle: not again each cycle.
      expect(ws.emulator.stats.metaReads).toBe(0);
    },
    120_000,
  );

  test('unpaced, the same cycle at 2,000 proposals meets the rate limit (the pacing test above can fail)', async () => {
    const ws = await trackerWith(2000, { transport: { minIntervalMs: 0 } });
    await ws.run('2026-11-23T08:00');
    expect(ws.emulator.stats.rateLimited).toBeGreaterThan(0);
    // Each 429 cost the 30 s Airtable imposes, waited on the simulated clock.
    expect(ws.clock.waits.filter((w) => w === 30_000).length).toBe(ws.emulator.stats.rateLimited);
  }, 120_000);
});

describe('links in emails', () => {
  test('open the proposal record: https://airtable.com/<baseId>/<tableId>/<recordId>', async () => {
    const ws = await trackerWith(0);
    ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
    ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
    await ws.run('2026-11-23T08:00');
    const entry = (await ws.outbox.entries()).find((e) => e.kind === 'reminder')!;
    const mail = await simpleParser(await readFile(`${ws.outbox.dir}/${entry.file}`));
    const record = ws.records(TABS.proposals)[0]!;
    expect(mail.text).toContain(`https://airtable.com/${ws.trackerBaseId}/${tableId(ws, TABS.proposals)}/${record.id}`);
  });
});
