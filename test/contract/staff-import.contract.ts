import { beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import { trackerLayout } from '../../src/core/layout.ts';
import type { StaffImportTarget, TrackerStore } from '../../src/core/ports.ts';
import type { StoreFixture } from './tracker-store.contract.ts';

const text = (value: string) => ({ kind: 'text', value }) as const;

/** One suite for the import's port, run against every store that implements it, with the store contract's fixture. */
export function staffImportContract(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`StaffImportTarget contract: ${name}`, () => {
    let f: StoreFixture;
    let store: TrackerStore & StaffImportTarget;
    beforeEach(async () => {
      f = await makeFixture();
      store = f.store as TrackerStore & StaffImportTarget;
      expect(typeof store.importStaff).toBe('function');
      await f.store.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
    });

    test('new rows are appended with text and dates; their system cells stay blank', async () => {
      await f.addRows('Proposals', [{ 'BUCP ID': 'B-1', Stage: 'Drafting', Status: 'On Track' }]);
      const result = await store.importStaff({
        add: [
          {
            id: 'B-2',
            values: {
              'BUCP ID': text('B-2'),
              'Use Case Name': text('=not a formula'),
              Stage: text('Concept'),
              'Stage Entered On': { kind: 'date', value: '2026-11-02' },
            },
          },
          { id: 'B-3', values: { 'BUCP ID': text('B-3'), Stage: text('Filed') } },
        ],
        fill: [],
      });
      expect(result).toEqual({ rowsAdded: 2, cellsFilled: 0, missingIds: [] });
      const rows = await f.readTab('Proposals');
      expect(rows.map((r) => [r['BUCP ID'], r.Stage, r['Stage Entered On'] ?? null, r.Status ?? null])).toEqual([
        ['B-1', 'Drafting', null, 'On Track'],
        ['B-2', 'Concept', '2026-11-02', null],
        ['B-3', 'Filed', null, null],
      ]);
      expect(rows[1]!['Use Case Name']).toBe('=not a formula');
    });

    test('fills land on their own BUCP ID after staff sorted the tab; a deleted ID is reported', async () => {
      await f.addRows('Proposals', [
        { 'BUCP ID': 'B-1', Stage: 'Drafting' },
        { 'BUCP ID': 'B-2', Stage: 'Drafting' },
        { 'BUCP ID': 'B-3', Stage: 'Drafting' },
      ]);
      await f.sortRows('Proposals', 'BUCP ID', true);
      await f.deleteRow('Proposals', 'B-2');
      const result = await store.importStaff({
        add: [],
        fill: ['B-1', 'B-2', 'B-3'].map((id) => ({ id, values: { Notes: text(`note for ${id}`) } })),
      });
      expect(result).toEqual({ rowsAdded: 0, cellsFilled: 2, missingIds: ['B-2'] });
      expect((await f.readTab('Proposals')).map((r) => [r['BUCP ID'], r.Notes])).toEqual([
        ['B-3', 'note for B-3'],
        ['B-1', 'note for B-1'],
      ]);
    });

    test('a system column is refused, and nothing is written', async () => {
      await f.addRows('Proposals', [{ 'BUCP ID': 'B-1', Stage: 'Drafting' }]);
      const before = await f.version();
      await expect(
        store.importStaff({ add: [], fill: [{ id: 'B-1', values: { Status: text('Closed') } }] }),
      ).rejects.toThrow(/Refusing to import into "Status"/);
      expect(await f.version()).toBe(before);
    });
  });
}
