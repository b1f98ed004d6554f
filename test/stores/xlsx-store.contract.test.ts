import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { XlsxTrackerStore, toCellValue } from '../../src/stores/xlsx-store.ts';
import { appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';
import { staffImportContract } from '../contract/staff-import.contract.ts';
import { type StoreFixture, trackerStoreContract } from '../contract/tracker-store.contract.ts';
import { headerColumns, sortRows } from '../support/workspace.ts';

async function xlsxFixture(): Promise<StoreFixture> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'bucp-contract-')), 'tracker.xlsx');
  let pending: (() => Promise<void>) | undefined;
  const store = new XlsxTrackerStore({
    path: file,
    beforeSave: async () => {
      const action = pending;
      pending = undefined;
      await action?.();
    },
  });
  return {
    store,
    addRows: (tab, rows) => appendRowsByHeader(file, tab, rows),
    sortRows: (tab, header, descending) => sortRows(file, tab, header, descending),
    async deleteRow(tab, id) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const sheet = workbook.getWorksheet(tab)!;
      const idCol = headerColumns(sheet).get(tab === 'Disputes' ? 'Dispute ID' : 'BUCP ID')!;
      let target = 0;
      sheet.eachRow((r, n) => {
        if (n > 1 && r.getCell(idCol).value === id) target = n;
      });
      sheet.spliceRows(target, 1);
      await workbook.xlsx.writeFile(file);
    },
    async readTab(tab) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const sheet = workbook.getWorksheet(tab)!;
      const columns = headerColumns(sheet);
      const rows: Record<string, string | number | null>[] = [];
      sheet.eachRow((r, n) => {
        if (n === 1) return;
        rows.push(
          Object.fromEntries(
            [...columns].map(([h, c]) => {
              const raw = r.getCell(c).value;
              if (raw && typeof raw === 'object' && 'formula' in raw) return [h, `FORMULA:${raw.formula}`];
              const v = toCellValue(raw);
              return [h, v instanceof Date ? v.toISOString().slice(0, 10) : (v as string | number | null)];
            }),
          ),
        );
      });
      return rows;
    },
    async version() {
      const s = await stat(file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    },
    betweenReadAndWrite(action) {
      pending = action;
    },
  };
}

trackerStoreContract('xlsx workbook', xlsxFixture);
staffImportContract('xlsx workbook', xlsxFixture);
