import { afterEach, expect, test } from 'vitest';
import { findProposals } from '../../src/jobs/find.job.ts';
import { airtableRecordUrl } from '../../src/stores/airtable/base-url.ts';
import { airtableWorkspace } from '../support/airtable.ts';
import { d, localTime, proposal } from '../support/workspace.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const SECRET = 'CANARY-find-airtable-7c1f';

test('bucp find on an Airtable base: tracker fields only, each match links to its own record, after staff sort the records too', async () => {
  const ws = await airtableWorkspace();
  stops.push(() => ws.stop());
  ws.addProposals([
    proposal('F-1', {
      'Use Case Name': 'Niño health linkage',
      Datasets: 'Vital Statistics Births',
      Stage: 'Drafting',
      'Stage Entered On': d('2026-11-20'),
    }),
    proposal('F-2', { 'Use Case Name': 'Birth outcomes', Datasets: 'Medi-Cal Eligibility' }),
    proposal('F-3', {
      'Use Case Name': 'Housing dashboard',
      Datasets: 'CAIR2',
      'Lessons Learned': 'Start the Medi-Cal review early',
    }),
  ]);
  // Restricted content is never searched: a word only the restricted base holds finds nothing.
  ws.addRestricted([{ 'BUCP ID': 'F-1', 'Known Risks': SECRET }]);
  // Staff sort the table: a link names the record, not a position.
  ws.emulator.sortRecords(ws.trackerBaseId, 'Proposals', 'Use Case Name', true);
  const deps = { config: ws.config, store: ws.tracker, restricted: ws.restricted };
  const now = localTime('2026-11-23T08:00', ws.config.timezone);
  const calls = ws.emulator.calls.length;

  const found = await findProposals(deps, { now, words: ['medi-cal'] });
  expect(found.matches.map((m) => [m.bucpId, m.matchedFields])).toEqual([
    ['F-2', ['Datasets']],
    ['F-3', ['Lessons Learned']],
  ]);
  const tableId = (ws.emulator.tableSchema(ws.trackerBaseId, 'Proposals') as { id: string }).id;
  const recordOf = (id: string) => ws.records('Proposals').find((r) => r.fields['BUCP ID'] === id)!.id;
  expect(found.matches.map((m) => m.link)).toEqual([
    airtableRecordUrl(ws.trackerBaseId, tableId, recordOf('F-2')),
    airtableRecordUrl(ws.trackerBaseId, tableId, recordOf('F-3')),
  ]);

  const nino = await findProposals(deps, { now, words: ['nino'] });
  expect(nino.matches.map((m) => [m.bucpId, m.stage, m.link])).toEqual([
    ['F-1', 'Drafting', airtableRecordUrl(ws.trackerBaseId, tableId, recordOf('F-1'))],
  ]);
  expect((await findProposals(deps, { now, words: [SECRET] })).matches).toEqual([]);
  // find writes nothing.
  expect(ws.emulator.calls.slice(calls).filter((c) => c.kind === 'write' || c.kind === 'meta-write')).toEqual([]);
}, 60_000);
