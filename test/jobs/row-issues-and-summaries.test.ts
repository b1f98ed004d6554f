// The row issues and the summary tabs, store against store: the bad-row corpus (test/bad-rows.test.ts
// drives it through the workbook in depth) is typed into an Airtable base as well, wherever a base can
// hold it, and the cycle must report and write the same; the summary tabs must read the same.
import { afterEach, expect, test } from 'vitest';
import { SUMMARY_TABS, TABS } from '../../src/core/contract.ts';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import { BAD_ROWS, type BadRowCase, GOOD_ID, NOW, dispute, goodProposal } from '../fixtures/bad-rows.ts';
import { type StoreKind, type StoreWorkspace, stopWorkspaces, workspaceOn } from '../support/any-store.ts';
import { d, enteredDaysAgo, proposal } from '../support/workspace.ts';

afterEach(stopWorkspaces);

const ID_HEADER = { Proposals: 'BUCP ID', Disputes: 'Dispute ID' } as const;

/** A case typed in as in test/bad-rows.test.ts: the bad rows first, the good proposal after them. */
async function seeded(kind: StoreKind, c: BadRowCase): Promise<StoreWorkspace> {
  const ws = await workspaceOn(kind, c.config ?? {});
  await ws.addProposals(c.tab === 'Proposals' ? [...c.rows, goodProposal()] : [goodProposal()]);
  if (c.tab === 'Disputes') await ws.addDisputes(c.rows);
  const ids = new Set([GOOD_ID]);
  for (const row of c.tab === 'Proposals' && !c.noRestrictedRecord ? c.rows : []) {
    const id = row['BUCP ID'];
    if (typeof id === 'string' && id.trim() !== '') ids.add(id.trim());
  }
  await ws.addRestricted([...ids].map((id) => ({ 'BUCP ID': id })));
  return ws;
}

const issuesOf = (report: CycleReport) =>
  report.rowIssues.map((i) => [i.tab, i.id, i.column, i.severity, i.message.replace(/rows? [\d, ]+:/, 'rows:')]);

/** The corpus cases an Airtable base accepted (typed fields refuse, say, words in a date field). */
const held: string[] = [];

test.for(BAD_ROWS)('bad row, on Airtable as in the workbook: $name ($tab)', async (c, ctx) => {
  let base: StoreWorkspace;
  try {
    base = await seeded('airtable', c);
  } catch (error) {
    // Airtable cannot hold this value in a typed field: a person could not type it either.
    ctx.skip(`Airtable refuses it: ${(error as Error).message}`);
    return;
  }
  held.push(c.name);
  const workbook = await seeded('xlsx', c);
  const [onBase, onWorkbook] = [await base.run(NOW), await workbook.run(NOW)];
  expect(issuesOf(onWorkbook).length).toBeGreaterThan(0);
  expect(issuesOf(onBase)).toEqual(issuesOf(onWorkbook));
  // The Issues table lists every issue, and the bad record's own Row Issues field shows it.
  const lines = await base.lines(TABS.issues);
  const rows = await base.rows(c.tab, ID_HEADER[c.tab]);
  for (const issue of onBase.rowIssues) {
    expect(lines).toContainEqual(
      expect.objectContaining({
        Tab: issue.tab,
        Column: issue.column,
        Severity: issue.severity,
        Message: issue.message,
      }),
    );
    if (issue.id !== null && rows.has(issue.id))
      expect(String(rows.get(issue.id)!['Row Issues'])).toContain(issue.message);
  }
  // The good proposal still syncs, to the same values as in the workbook.
  const good = (ws: StoreWorkspace) =>
    ws.rows('Proposals', 'BUCP ID').then((r) => {
      const row = r.get(GOOD_ID)!;
      return [row.Status, row['SLA Days'], row['Stage Since'], row['Business Days in Stage']];
    });
  expect(await good(base)).toEqual(await good(workbook));
  expect((await good(base))[0]).toBeDefined();
});

test('most of the corpus can be typed into a base, so the comparison above covers it', () => {
  expect(held.length).toBeGreaterThanOrEqual(15);
});

test('the summary tabs (Summary, Stage Times, Dispute Metrics, Breakdowns) read the same on Airtable as in the workbook', async () => {
  const stages = ['Concept', 'Drafting', 'Internal Review', 'Provider Review', 'Signatures', 'Filed', 'Active'];
  const stores = await Promise.all((['xlsx', 'airtable'] as const).map((kind) => workspaceOn(kind)));
  for (const ws of stores) {
    await ws.addProposals(
      Array.from({ length: 21 }, (_, i) =>
        proposal(`B-${i + 1}`, {
          Stage: stages[i % stages.length]!,
          'Stage Entered On': enteredDaysAgo('2026-11-23', (i * 5) % 31),
          'Requesting Department': i % 2 ? 'DHCS' : 'CDPH',
          'Providing Department': i % 3 ? 'CDPH' : 'DDS',
        }),
      ),
    );
    await ws.addDisputes([
      dispute('D-1', { 'BUCP ID': 'B-2', 'Raised On': d('2026-10-01'), Level: 'Data Coordinators' }),
      dispute('D-2', {
        'BUCP ID': 'B-3',
        'Raised On': d('2026-09-01'),
        'Resolved On': d('2026-10-20'),
        Decision: 'Modified',
      }),
    ]);
    await ws.addRestricted(Array.from({ length: 21 }, (_, i) => ({ 'BUCP ID': `B-${i + 1}` })));
    await ws.run('2026-11-23T08:00');
    await ws.run('2026-11-30T08:00');
  }
  const [workbook, base] = stores as [StoreWorkspace, StoreWorkspace];
  for (const tab of SUMMARY_TABS) {
    const grid = await workbook.summary(tab);
    expect(grid.length, tab).toBeGreaterThan(3);
    expect(await base.summary(tab), tab).toEqual(grid);
  }
});
