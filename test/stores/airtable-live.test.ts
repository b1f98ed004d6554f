// The store contract against a real Airtable base. Skipped unless BUCP_LIVE_AIRTABLE_BASE_ID names a
// base that may be wiped (its tracker tables are emptied before each test) and AIRTABLE_TOKEN (or
// BUCP_LIVE_AIRTABLE_TOKEN) holds a token granted that base with the four scopes. See README,
// "Airtable set-up".
import { createHash } from 'node:crypto';
import { describe, vi } from 'vitest';
import { TRACKER_TABS } from '../../src/core/contract.ts';
import { AirtableTrackerStore, listAll } from '../../src/stores/airtable-store.ts';
import { listTables } from '../../src/stores/airtable/provision.ts';
import { AirtableTransport } from '../../src/stores/airtable/transport.ts';
import { type StoreFixture, trackerStoreContract } from '../contract/tracker-store.contract.ts';

const baseId = process.env.BUCP_LIVE_AIRTABLE_BASE_ID;
const token = process.env.BUCP_LIVE_AIRTABLE_TOKEN ?? process.env.AIRTABLE_TOKEN;

async function liveFixture(): Promise<StoreFixture> {
  const transport = new AirtableTransport({
    baseId: baseId!,
    token: token!,
    endpointUrl: process.env.BUCP_LIVE_AIRTABLE_ENDPOINT,
  });
  const table = async (name: string) => (await listTables(transport)).find((t) => t.name === name)!;
  // Start from empty tables: the Web API cannot delete a table, so every record of the base goes.
  for (const t of await listTables(transport)) {
    const ids = (await listAll(transport, t, [])).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 10) {
      await transport.records('empty the live base', 'write', {
        method: 'DELETE',
        path: `/${t.id}`,
        qs: { records: ids.slice(i, i + 10) },
      });
    }
  }
  const store = new AirtableTrackerStore({ baseId: baseId!, transport, leaseSettleMs: 2000 });
  const sorts = new Map<string, { field: string; direction: 'asc' | 'desc' }>();
  const records = async (name: string) => {
    const t = await table(name);
    const sort = sorts.get(name);
    const all: { id: string; fields: Record<string, unknown> }[] = [];
    let offset: string | undefined;
    do {
      const page = await transport.records<{ records: typeof all; offset?: string }>('read the live base', 'read', {
        path: `/${t.id}`,
        qs: { pageSize: 100, ...(sort ? { sort: [sort] } : {}), ...(offset ? { offset } : {}) },
      });
      all.push(...page.records);
      offset = page.offset;
    } while (offset);
    return { table: t, all };
  };
  return {
    store,
    async addRows(name, rows) {
      const t = await table(name);
      for (let i = 0; i < rows.length; i += 10) {
        await transport.records('add staff rows', 'write', {
          method: 'POST',
          path: `/${t.id}`,
          body: { records: rows.slice(i, i + 10).map((fields) => ({ fields })), typecast: true },
        });
      }
    },
    // The Web API has no record order to change: a staff sort is a view's, and readTab lists in it.
    async sortRows(name, header, descending) {
      sorts.set(name, { field: header, direction: descending ? 'desc' : 'asc' });
    },
    async deleteRow(name, id) {
      const idField = TRACKER_TABS.find((t) => t.name === name)!.idColumn!;
      const { table: t, all } = await records(name);
      const record = all.find((r) => r.fields[idField] === id)!;
      await transport.records('delete a staff row', 'write', {
        method: 'DELETE',
        path: `/${t.id}`,
        qs: { records: [record.id] },
      });
    },
    async readTab(name) {
      const { table: t, all } = await records(name);
      return all.map((r) =>
        Object.fromEntries(t.fields.map((f) => [f.name, (r.fields[f.name] as string | number | undefined) ?? null])),
      );
    },
    async version() {
      const tables = await listTables(transport);
      const all = [];
      for (const t of tables) all.push(await listAll(transport, t, []));
      return createHash('sha256')
        .update(JSON.stringify([tables, all]))
        .digest('hex');
    },
    // Airtable offers no hook inside its servers: the staff action runs after the read, before the write.
    betweenReadAndWrite(action) {
      const write = store.write.bind(store);
      store.write = async (plan) => {
        store.write = write;
        await action();
        return write(plan);
      };
    },
  };
}

// Paced at 4 requests a second, and emptying the base first: a live test takes its time.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

describe.skipIf(!baseId || !token)('live Airtable', () => {
  trackerStoreContract('Airtable (live base)', liveFixture);
});
