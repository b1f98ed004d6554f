import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../src/core/config.ts';
import { PROPOSAL_COLUMNS, TRACKER_TABS } from '../src/core/contract.ts';
import { restrictedLayout, trackerLayout } from '../src/core/layout.ts';
import { TEMPLATES_DIR, TEMPLATE_FILES } from '../src/templates.ts';

test.each([
  [TEMPLATE_FILES.tracker, trackerLayout(DEFAULT_DEPARTMENTS)],
  [TEMPLATE_FILES.restricted, restrictedLayout()],
])(
  'sheets-templates/%s matches the column contract (run `npm run templates` after changing it)',
  async (file, expected) => {
    const committed = JSON.parse(await readFile(path.join(TEMPLATES_DIR, file), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(expected)));
  },
);

test('the contract keeps its staff columns before its system columns, with the headers other tools rely on', () => {
  const owners = PROPOSAL_COLUMNS.map((c) => c.owner);
  expect(owners.indexOf('system')).toBe(owners.lastIndexOf('staff') + 1);
  expect(PROPOSAL_COLUMNS.slice(0, 3).map((c) => c.header)).toEqual([
    'BUCP ID',
    'Use Case Name',
    'Requesting Department',
  ]);
  expect(TRACKER_TABS.map((t) => t.name)).toEqual(['Proposals', 'Disputes', 'Tasks', 'Activity Log', 'Issues']);
  for (const tab of TRACKER_TABS.filter((t) => t.owner === 'staff')) {
    const tabOwners = tab.columns.map((c) => c.owner);
    expect(tabOwners.indexOf('system'), tab.name).toBe(tabOwners.lastIndexOf('staff') + 1);
    expect(tab.columns[0]!.header, tab.name).toBe(tab.idColumn);
  }
});
