import { afterEach } from 'vitest';
import { PROPOSAL_COLUMNS, TRACKER_TABS } from '../../src/core/contract.ts';
import { serialToIsoDate } from '../../src/core/dates.ts';
import { columnLetter } from '../../src/core/layout.ts';
import { staffImportContract } from '../contract/staff-import.contract.ts';
import { type StoreFixture, trackerStoreContract } from '../contract/tracker-store.contract.ts';
import { type GoogleRig, googleRig } from '../support/google.ts';

const DATE_HEADERS = new Set(PROPOSAL_COLUMNS.filter((c) => c.type === 'date').map((c) => c.header));
const rigs: GoogleRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

async function googleFixture(): Promise<StoreFixture> {
  const rig = await googleRig();
  rigs.push(rig);
  const { emulator } = rig;
  const ref = (tab: string) => ({ spreadsheetId: rig.tracker.spreadsheetId, title: tab });
  const headerOf = (tab: string) =>
    (emulator.sheet(rig.tracker.spreadsheetId, tab).values({ render: 'UNFORMATTED_VALUE' })[0] ?? []).map(String);
  return {
    store: rig.tracker,
    async addRows(tab, rows) {
      const header = headerOf(tab);
      const sheet = emulator.sheet(rig.tracker.spreadsheetId, tab);
      emulator.setRows(
        ref(tab),
        rows.map((row) => header.map((h) => row[h] ?? null)),
        { startRow: sheet.lastRow + 1, input: 'RAW' },
      );
    },
    async sortRows(tab, header, descending) {
      emulator.sortRows(ref(tab), { header }, descending);
    },
    async deleteRow(tab, id) {
      const idHeader = TRACKER_TABS.find((t) => t.name === tab)!.idColumn!;
      const rows = emulator.sheet(rig.tracker.spreadsheetId, tab).values({ render: 'UNFORMATTED_VALUE' });
      const index = rows.findIndex((r) => String(r[headerOf(tab).indexOf(idHeader)] ?? '') === id);
      emulator.deleteRow(ref(tab), index + 1);
    },
    async readTab(tab) {
      const sheet = emulator.sheet(rig.tracker.spreadsheetId, tab);
      const [header = [], ...rows] = sheet.values({ render: 'UNFORMATTED_VALUE', dateRender: 'SERIAL_NUMBER' });
      return rows
        .map((r, i) => ({ r, rowNumber: i + 2 }))
        .filter(({ r }) => r.some((v) => v !== null && v !== undefined && v !== ''))
        .map(({ r, rowNumber }) =>
          Object.fromEntries(
            header.map((h, c) => {
              const cell = sheet.cell(`${columnLetter(c + 1)}${rowNumber}`);
              if (cell.type === 'formula') return [String(h), `FORMULA:${cell.formula}`];
              const v = r[c] === undefined || r[c] === '' ? null : (r[c] as string | number);
              return [String(h), DATE_HEADERS.has(String(h)) && typeof v === 'number' ? serialToIsoDate(v) : v];
            }),
          ),
        );
    },
    async version() {
      // Every applied write changes the emulator's content; a write that was not sent leaves it alone.
      return String(emulator.calls.filter((c) => c.kind === 'write' && c.applied).length);
    },
    betweenReadAndWrite(action) {
      emulator.onBeforeWrite(async () => action(), { once: true, apis: ['values.batchUpdate'] });
    },
  };
}

trackerStoreContract('Google Sheets (emulator, real client)', googleFixture);
staffImportContract('Google Sheets (emulator, real client)', googleFixture);
