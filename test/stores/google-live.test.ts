// The store contract against real Google Sheets. Skipped unless BUCP_LIVE_SPREADSHEET_ID names a
// spreadsheet that may be wiped, shared as Editor with the service account whose key file
// GOOGLE_APPLICATION_CREDENTIALS (or BUCP_LIVE_CREDENTIALS) points at. See README, "Google Sheets set-up".
import { createHash } from 'node:crypto';
import { describe } from 'vitest';
import { PROPOSAL_COLUMNS, TRACKER_TABS } from '../../src/core/contract.ts';
import { serialToIsoDate } from '../../src/core/dates.ts';
import { GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { quoteTab } from '../../src/stores/google/a1.ts';
import { createSheetsClient } from '../../src/stores/google/transport.ts';
import { type StoreFixture, trackerStoreContract } from '../contract/tracker-store.contract.ts';

const spreadsheetId = process.env.BUCP_LIVE_SPREADSHEET_ID;
const DATE_HEADERS = new Set(PROPOSAL_COLUMNS.filter((c) => c.type === 'date').map((c) => c.header));

async function liveFixture(): Promise<StoreFixture> {
  const client = createSheetsClient({ keyFile: process.env.BUCP_LIVE_CREDENTIALS });
  const api = client.api;
  const id = spreadsheetId!;
  // Start from a blank spreadsheet: one scratch tab, everything else deleted.
  const meta = await api.spreadsheets.get({ spreadsheetId: id, fields: 'sheets.properties(sheetId,title)' });
  const scratch = `scratch-${Date.now()}`;
  await api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: {
      requests: [
        { addSheet: { properties: { title: scratch } } },
        ...(meta.data.sheets ?? []).map((s) => ({ deleteSheet: { sheetId: s.properties!.sheetId! } })),
      ],
    },
  });
  const store = new GoogleSheetsTrackerStore({ spreadsheetId: id, client });
  const sheetIdOf = async (title: string) => {
    const m = await api.spreadsheets.get({ spreadsheetId: id, fields: 'sheets.properties(sheetId,title)' });
    return m.data.sheets!.find((s) => s.properties?.title === title)!.properties!.sheetId!;
  };
  const grid = async (tab: string) =>
    ((
      await api.spreadsheets.values.get({
        spreadsheetId: id,
        range: quoteTab(tab),
        valueRenderOption: 'UNFORMATTED_VALUE',
      })
    ).data.values ?? []) as unknown[][];
  return {
    store,
    async addRows(tab, rows) {
      const header = (await grid(tab))[0]!.map(String);
      await api.spreadsheets.values.append({
        spreadsheetId: id,
        range: quoteTab(tab),
        valueInputOption: 'RAW',
        requestBody: { values: rows.map((r) => header.map((h) => r[h] ?? '')) },
      });
    },
    async sortRows(tab, header, descending) {
      const head = (await grid(tab))[0]!.map(String);
      await api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            {
              sortRange: {
                range: { sheetId: await sheetIdOf(tab), startRowIndex: 1 },
                sortSpecs: [
                  { dimensionIndex: head.indexOf(header), sortOrder: descending ? 'DESCENDING' : 'ASCENDING' },
                ],
              },
            },
          ],
        },
      });
    },
    async deleteRow(tab, rowId) {
      const rows = await grid(tab);
      const idHeader = TRACKER_TABS.find((t) => t.name === tab)!.idColumn!;
      const index = rows.findIndex((r) => String(r[rows[0]!.map(String).indexOf(idHeader)]) === rowId);
      await api.spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            {
              deleteDimension: {
                range: { sheetId: await sheetIdOf(tab), dimension: 'ROWS', startIndex: index, endIndex: index + 1 },
              },
            },
          ],
        },
      });
    },
    async readTab(tab) {
      const [header = [], ...rows] = await grid(tab);
      return rows.map((r) =>
        Object.fromEntries(
          header.map((h, i) => {
            const v = r[i] === '' || r[i] === undefined ? null : (r[i] as string | number);
            return [String(h), DATE_HEADERS.has(String(h)) && typeof v === 'number' ? serialToIsoDate(v) : v];
          }),
        ),
      );
    },
    async version() {
      const m = await api.spreadsheets.get({ spreadsheetId: id, fields: 'sheets.properties.title' });
      const titles = (m.data.sheets ?? []).map((s) => s.properties!.title!);
      const all = await api.spreadsheets.values.batchGet({ spreadsheetId: id, ranges: titles.map(quoteTab) });
      return createHash('sha256').update(JSON.stringify(all.data.valueRanges)).digest('hex');
    },
    // Google offers no hook inside its servers: the staff action runs after the read, before the write.
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

describe.skipIf(!spreadsheetId)('live Google Sheets', () => {
  trackerStoreContract('Google Sheets (live)', liveFixture);
});
