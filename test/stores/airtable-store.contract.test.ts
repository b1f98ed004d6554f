import { afterEach } from 'vitest';
import { TRACKER_TABS } from '../../src/core/contract.ts';
import { type StoreFixture, trackerStoreContract } from '../contract/tracker-store.contract.ts';
import { type AirtableRig, airtableRig } from '../support/airtable.ts';

const rigs: AirtableRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

/** A staff member in the Airtable UI, and the emulator's view of the base. */
async function airtableFixture(): Promise<StoreFixture> {
  const rig = await airtableRig();
  rigs.push(rig);
  const { emulator, trackerBaseId: base } = rig;
  const fieldNames = (table: string) =>
    (emulator.tableSchema(base, table) as { fields: { name: string }[] }).fields.map((f) => f.name);
  return {
    store: rig.tracker,
    async addRows(table, rows) {
      for (const row of rows) {
        emulator.addRecord(
          base,
          table,
          Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== '')),
        );
      }
    },
    async sortRows(table, header, descending) {
      emulator.sortRecords(base, table, header, descending);
    },
    async deleteRow(table, id) {
      const idField = TRACKER_TABS.find((t) => t.name === table)!.idColumn!;
      const record = emulator.records(base, table).find((r) => r.fields[idField] === id);
      emulator.deleteRecord(base, table, record!.id);
    },
    async readTab(table) {
      const names = fieldNames(table);
      return emulator
        .records(base, table)
        .map((r) =>
          Object.fromEntries(names.map((name) => [name, (r.fields[name] as string | number | undefined) ?? null])),
        );
    },
    async version() {
      // Every applied change to the base (records or schema) moves it; a call that changed nothing does not.
      return String(
        emulator.calls.filter(
          (c) =>
            c.baseId === base && ((c.kind === 'write' && c.applied) || (c.kind === 'meta-write' && c.status < 400)),
        ).length,
      );
    },
    betweenReadAndWrite(action) {
      emulator.onBeforeWrite(async () => action(), { once: true, baseId: base });
    },
  };
}

trackerStoreContract('Airtable (emulator, real airtable client)', airtableFixture);
