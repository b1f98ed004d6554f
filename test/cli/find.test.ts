import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { searchKey, searchProposals } from '../../src/core/find.ts';
import { parseProposals } from '../../src/core/schema.ts';
import { createLogger } from '../../src/log.ts';
import { CONTACTS, enteredDaysAgo, makeWorkspace, proposal, sortRows } from '../support/workspace.ts';

const ROWS = [
  proposal('B-101', {
    'Use Case Name': 'Niño Health Outcomes',
    'Requesting Department': 'CDSS',
    'Providing Department': 'DHCS',
    Datasets: 'Medi-Cal Eligibility; CalFresh Participation',
    'Legal Authority': 'W&I Code § 10850',
    Stage: 'Drafting',
    'Stage Entered On': enteredDaysAgo('2026-11-23', 20),
  }),
  proposal('B-102', {
    'Use Case Name': 'Birth outcomes linkage',
    Datasets: 'Vital Statistics Births',
    'Legal Authority': 'HSC 102430',
    Stage: 'Active',
    'Lessons Learned': 'Résumé the de-identification agreement before drafting',
  }),
  proposal('B-103', {
    'Use Case Name': 'Foster care placements',
    'Requesting Department': 'CDSS',
    Datasets: 'CWS/CMS Placements',
    Stage: 'Concept',
  }),
];

describe('search keys and matching (core)', () => {
  test.each([
    ['Niño', 'nino'],
    ['NIÑO', 'nino'],
    ['Résumé  the', 'resume the'],
    ['W&I Code § 10850', 'w&i code § 10850'],
  ])('%s → %s', (text, key) => {
    expect(searchKey(text)).toBe(key);
  });

  const table = {
    headers: [],
    rows: ROWS.map((cells, i) => ({ rowNumber: i + 2, cells })),
  };
  const proposals = parseProposals(table, { today: '2026-11-23', departments: ['CDSS', 'DHCS', 'CDPH'] }).records;
  test.each([
    [['nino'], ['B-101'], ['Use Case Name']],
    [['NIÑO'], ['B-101'], ['Use Case Name']],
    [['b-102'], ['B-102'], ['BUCP ID']],
    [['cdss'], ['B-101', 'B-103'], ['Requesting Department']],
    [['calfresh'], ['B-101'], ['Datasets']],
    [['10850'], ['B-101'], ['Legal Authority']],
    [['resume'], ['B-102'], ['Lessons Learned']],
    [['medi-cal', 'cdss'], ['B-101'], ['Requesting Department', 'Datasets']],
    [['medi-cal', 'foster'], [], []],
    [['   '], [], []],
  ])('%j finds %j', (words, ids, fields) => {
    const matches = searchProposals(proposals, words);
    expect(matches.map((m) => m.proposal.bucpId)).toEqual(ids);
    if (ids.length > 0) expect(matches[0]!.fields).toEqual(fields);
  });
});

async function setup() {
  const ws = await makeWorkspace();
  await ws.addProposals(ROWS);
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), logger: createLogger({ destination: { write: () => true } }) };
  return { ws, out, find: (...args: string[]) => main(['find', ...args, '--config', configFile], io) };
}

describe('bucp find', () => {
  test('prints each match with its stage, status and a link to its row; --json gives the same as data', async () => {
    const { ws, out, find } = await setup();
    expect(await find('nino', '--now', '2026-11-23T08:00')).toBe(0);
    expect(out).toEqual([
      'B-101  Drafting · Stalled  Niño Health Outcomes',
      '  matched: Use Case Name',
      `  ${ws.tracker.rowLink('Proposals', 'B-101', 2)}`,
      '1 proposal matches "nino"',
    ]);
    out.length = 0;
    expect(await find('CDSS', '--json', '--now', '2026-11-23T08:00')).toBe(0);
    const result = JSON.parse(out.join(''));
    expect(result).toEqual({
      query: 'CDSS',
      today: '2026-11-23',
      matches: [
        expect.objectContaining({ bucpId: 'B-101', stage: 'Drafting', status: 'Stalled' }),
        expect.objectContaining({ bucpId: 'B-103', stage: 'Concept', status: 'On Track' }),
      ],
    });
    expect(result.matches[1].link).toMatch(/#'Proposals'!A4$/);
  });

  test('the link follows the row when staff sort the tab: rows are found by ID', async () => {
    const { out, find, ws } = await setup();
    await sortRows(ws.tracker.path, 'Proposals', 'BUCP ID', true);
    expect(await find('foster', '--json', '--now', '2026-11-23T08:00')).toBe(0);
    expect(JSON.parse(out.join('')).matches[0].link).toMatch(/#'Proposals'!A2$/);
  });

  test('nothing found is not an error', async () => {
    const { out, find } = await setup();
    expect(await find('no-such-thing', '--now', '2026-11-23T08:00')).toBe(0);
    expect(out).toEqual(['0 proposals match "no-such-thing"']);
  });
});
