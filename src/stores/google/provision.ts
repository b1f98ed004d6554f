import type { sheets_v4 } from '@googleapis/sheets';
import { TABS } from '../../core/contract.ts';
import { type TabLayout, type WorkbookLayout, columnLetter, listRange } from '../../core/layout.ts';
import { SUMMARY_CHARTS } from '../../core/metrics.ts';
import type { LayoutReport } from '../../core/ports.ts';
import { readHeaderRow } from '../table.ts';
import { quoteTab } from './a1.ts';
import type { SpreadsheetTransport } from './transport.ts';

type Request = sheets_v4.Schema$Request;

/** Protected ranges this service made are recognised by their description. */
const MARK = 'bucp-tracker:';

const rgb = (hex: string): sheets_v4.Schema$Color => ({
  red: parseInt(hex.slice(0, 2), 16) / 255,
  green: parseInt(hex.slice(2, 4), 16) / 255,
  blue: parseInt(hex.slice(4, 6), 16) / 255,
});

/** A stable sheet ID per tab title, so requests later in the same batch can name a tab it adds. */
function sheetIdFor(title: string, taken: ReadonlySet<number>): number {
  let hash = 7;
  for (const ch of title) hash = (hash * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  while (taken.has(hash)) hash += 1;
  return hash;
}

const cellValue = (v: string | number | null): sheets_v4.Schema$CellData => ({
  userEnteredValue: v === null ? {} : typeof v === 'number' ? { numberValue: v } : { stringValue: v },
});

/**
 * Reads what the spreadsheet has (2 or 3 calls) and sends everything it lacks in one atomic
 * spreadsheets.batchUpdate: tabs, headers, frozen rows, dropdowns, date formats, protections,
 * highlights and charts. A complete spreadsheet gets no write at all. Staff cells are never sent.
 */
export async function ensureSpreadsheetLayout(
  transport: SpreadsheetTransport,
  layout: WorkbookLayout,
): Promise<LayoutReport> {
  const { api, spreadsheetId, call } = transport;
  const meta = await call('spreadsheets.get', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields:
        'sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)),protectedRanges(protectedRangeId,description),conditionalFormats(ranges,booleanRule(condition)),charts(chartId,spec(title)))',
    }),
  );
  const sheets = new Map((meta.sheets ?? []).map((s) => [s.properties?.title ?? '', s]));
  const taken = new Set((meta.sheets ?? []).map((s) => s.properties?.sheetId ?? -1));
  const idOf = new Map((meta.sheets ?? []).map((s) => [s.properties?.title ?? '', s.properties?.sheetId ?? 0]));
  const existing = layout.tabs.filter((t) => sheets.has(t.name));
  const gridColumnsOf = (tab: TabLayout) => sheets.get(tab.name)?.properties?.gridProperties?.columnCount ?? 0;
  // Tabs kept exactly as wide as their columns, which have more: those extra columns are read whole
  // (in the same call as the headers), and removed only if nobody has put anything in them.
  const wide = existing.filter((t) => t.exactWidth && gridColumnsOf(t) > t.columns.length);
  const headerData =
    existing.length > 0
      ? await call('values.batchGet', () =>
          api.spreadsheets.values.batchGet({
            spreadsheetId,
            ranges: [
              ...existing.map((t) => (t.name === TABS.lists ? quoteTab(t.name) : `${quoteTab(t.name)}!1:1`)),
              ...wide.map(
                (t) => `${quoteTab(t.name)}!${columnLetter(t.columns.length + 1)}:${columnLetter(gridColumnsOf(t))}`,
              ),
            ],
            valueRenderOption: 'UNFORMATTED_VALUE',
          }),
        )
      : { valueRanges: [] };
  const contentOf = new Map(
    existing.map((t, i) => [t.name, (headerData.valueRanges?.[i]?.values ?? []) as unknown[][]]),
  );
  const unusedBeyond = new Set(
    wide
      .filter((_t, i) => (headerData.valueRanges?.[existing.length + i]?.values ?? []).length === 0)
      .map((t) => t.name),
  );
  const validated = await validatedColumns(transport, existing, sheets);

  const requests: Request[] = [];
  const created: string[] = [];
  const repaired: string[] = [];
  const removed: string[] = [];
  const rowCount = layout.dataRows + 1;

  for (const tab of layout.tabs) {
    let sheet = sheets.get(tab.name);
    let sheetId = sheet?.properties?.sheetId ?? undefined;
    // Google's default width, except on tabs kept exactly as wide as their columns.
    const width = tab.exactWidth ? tab.columns.length : Math.max(tab.columns.length, 26);
    if (sheetId === undefined || sheetId === null) {
      sheetId = sheetIdFor(tab.name, taken);
      taken.add(sheetId);
      idOf.set(tab.name, sheetId);
      requests.push({
        addSheet: {
          properties: {
            sheetId,
            title: tab.name,
            gridProperties: {
              rowCount: Math.max(rowCount, 1000),
              columnCount: width,
              frozenRowCount: tab.frozenRows,
              frozenColumnCount: tab.frozenColumns,
            },
          },
        },
      });
      created.push(`tab "${tab.name}"`);
      sheet = undefined;
    }
    const header = (contentOf.get(tab.name) ?? [])[0] ?? [];
    const columns = new Map(readHeaderRow(tab.name, header).columns);
    let next = header.length;
    const added: { index: number; column: TabLayout['columns'][number] }[] = [];
    for (const column of tab.columns) {
      if (columns.has(column.header)) continue;
      columns.set(column.header, next);
      added.push({ index: next, column });
      next += 1;
    }
    const gridColumns = sheet?.properties?.gridProperties?.columnCount ?? width;
    if (sheet && next > gridColumns) {
      requests.push({ appendDimension: { sheetId, dimension: 'COLUMNS', length: next - gridColumns } });
    }
    if (sheet && unusedBeyond.has(tab.name) && next === tab.columns.length) {
      requests.push({
        deleteDimension: {
          range: { sheetId, dimension: 'COLUMNS', startIndex: next, endIndex: gridColumns },
        },
      });
      removed.push(
        `the empty columns ${columnLetter(next + 1)}:${columnLetter(gridColumns)} of "${tab.name}" (Google counts every cell of a tab against the spreadsheet's limit)`,
      );
    }
    for (const { index, column } of added) {
      requests.push(
        {
          updateCells: {
            start: { sheetId, rowIndex: 0, columnIndex: index },
            rows: [
              {
                values: [
                  {
                    userEnteredValue: { stringValue: column.header },
                    userEnteredFormat: {
                      textFormat: { bold: true },
                      backgroundColor: rgb(column.owner === 'system' ? 'E7E6E6' : 'DDEBF7'),
                    },
                    ...(column.owner === 'system'
                      ? { note: 'Written by the BUCP tracker service. Edits here are overwritten.' }
                      : {}),
                  },
                ],
              },
            ],
            fields: 'userEnteredValue,userEnteredFormat(textFormat,backgroundColor),note',
          },
        },
        {
          updateDimensionProperties: {
            range: { sheetId, dimension: 'COLUMNS', startIndex: index, endIndex: index + 1 },
            properties: { pixelSize: column.width * 7 },
            fields: 'pixelSize',
          },
        },
      );
      if (column.type === 'date') {
        requests.push({
          repeatCell: {
            range: {
              sheetId,
              startRowIndex: 1,
              endRowIndex: rowCount,
              startColumnIndex: index,
              endColumnIndex: index + 1,
            },
            cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } } },
            fields: 'userEnteredFormat.numberFormat',
          },
        });
      }
      if (sheet) repaired.push(`column "${column.header}" on "${tab.name}"`);
    }
    const grid = sheet?.properties?.gridProperties;
    if (sheet && tab.frozenRows > 0 && (grid?.frozenRowCount ?? 0) < tab.frozenRows) {
      requests.push({
        updateSheetProperties: {
          properties: {
            sheetId,
            gridProperties: { frozenRowCount: tab.frozenRows, frozenColumnCount: tab.frozenColumns },
          },
          fields: 'gridProperties.frozenRowCount,gridProperties.frozenColumnCount',
        },
      });
      repaired.push(`frozen header on "${tab.name}"`);
    }
    for (const column of tab.columns) {
      if (!column.list || !layout.lists[column.list] || validated.get(tab.name)?.has(column.header)) continue;
      const index = columns.get(column.header)!;
      requests.push({
        setDataValidation: {
          range: {
            sheetId,
            startRowIndex: 1,
            endRowIndex: rowCount,
            startColumnIndex: index,
            endColumnIndex: index + 1,
          },
          rule: {
            condition: { type: 'ONE_OF_RANGE', values: [{ userEnteredValue: `=${listRange(layout, column.list)}` }] },
            strict: column.validation !== 'warning',
            showCustomUi: true,
            inputMessage:
              column.validation === 'warning'
                ? `Choose from ${column.list}, or type a partner outside CalHHS.`
                : `Choose from ${column.list}.`,
          },
        },
      });
      if (sheet) repaired.push(`dropdown on "${tab.name}"!${column.header}`);
    }
    requests.push(...protections(tab, sheetId, columns, sheet, await transport.accountEmail(), repaired));
    requests.push(...highlights(tab, sheetId, columns, sheet, rowCount, repaired));
  }

  const lists = Object.entries(layout.lists);
  if (lists.length > 0) {
    const wanted = [
      lists.map(([name]) => name),
      ...Array.from({ length: Math.max(...lists.map(([, v]) => v?.length ?? 0)) }, (_, i) =>
        lists.map(([, v]) => v?.[i] ?? null),
      ),
    ];
    const current = contentOf.get(TABS.lists) ?? [];
    const same =
      JSON.stringify(wanted.map((r) => r.map((v) => v ?? ''))) ===
      JSON.stringify(wanted.map((r, i) => r.map((_v, c) => String(current[i]?.[c] ?? ''))));
    if (!same || current.length > wanted.length) {
      const sheetId = idOf.get(TABS.lists)!;
      requests.push({
        updateCells: {
          range: {
            sheetId,
            startRowIndex: 0,
            startColumnIndex: 0,
            endRowIndex: Math.max(wanted.length, current.length),
            endColumnIndex: lists.length,
          },
          rows: Array.from({ length: Math.max(wanted.length, current.length) }, (_, r) => ({
            values: lists.map((_l, c) => cellValue(wanted[r]?.[c] ?? null)),
          })),
          fields: 'userEnteredValue',
        },
      });
      if (sheets.has(TABS.lists)) repaired.push('the Lists tab');
    }
  }
  requests.push(...charts(layout, sheets, idOf, repaired));

  if (requests.length > 0) {
    await call('spreadsheets.batchUpdate', () =>
      api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }),
    );
  }
  return { created, repaired, ...(removed.length > 0 ? { removed } : {}) };
}

/** Which list columns already have a dropdown, read from the first data row's grid data. */
async function validatedColumns(
  transport: SpreadsheetTransport,
  existing: readonly TabLayout[],
  sheets: Map<string, sheets_v4.Schema$Sheet>,
): Promise<Map<string, Set<string>>> {
  const withLists = existing.filter((t) => t.columns.some((c) => c.list) && sheets.has(t.name));
  const result = new Map<string, Set<string>>();
  if (withLists.length === 0) return result;
  const data = await transport.call('spreadsheets.get', () =>
    transport.api.spreadsheets.get({
      spreadsheetId: transport.spreadsheetId,
      ranges: withLists.flatMap((t) => [`'${t.name}'!1:1`, `'${t.name}'!2:2`]),
      includeGridData: true,
      fields: 'sheets(properties(title),data(rowData(values(userEnteredValue,dataValidation))))',
    }),
  );
  for (const sheet of data.sheets ?? []) {
    const title = sheet.properties?.title ?? '';
    const [headerBlock, firstRowBlock] = sheet.data ?? [];
    const headers = (headerBlock?.rowData?.[0]?.values ?? []).map((v) =>
      String(v.userEnteredValue?.stringValue ?? '').trim(),
    );
    const cells = firstRowBlock?.rowData?.[0]?.values ?? [];
    result.set(title, new Set(headers.filter((h, i) => h && cells[i]?.dataValidation)));
  }
  return result;
}

function protections(
  tab: TabLayout,
  sheetId: number,
  columns: Map<string, number>,
  sheet: sheets_v4.Schema$Sheet | undefined,
  editor: string | undefined,
  repaired: string[],
): Request[] {
  const have = new Set((sheet?.protectedRanges ?? []).map((p) => p.description ?? ''));
  const requests: Request[] = [];
  const add = (description: string, range: sheets_v4.Schema$GridRange, warningOnly: boolean) => {
    if (have.has(description)) return;
    requests.push({
      addProtectedRange: {
        protectedRange: {
          description,
          range,
          // Without a known service account, a warning is the most that can be set.
          warningOnly: warningOnly || !editor,
          ...(warningOnly || !editor ? {} : { editors: { users: [editor] } }),
        },
      },
    });
    if (sheet) repaired.push(`protection "${description}"`);
  };
  if (tab.owner === 'staff') {
    const system = tab.columns.filter((c) => c.owner === 'system').map((c) => columns.get(c.header)!);
    if (system.length > 0) {
      add(
        `${MARK} system columns of ${tab.name}`,
        { sheetId, startColumnIndex: Math.min(...system), endColumnIndex: Math.max(...system) + 1 },
        false,
      );
    }
  } else {
    // Staff may need to read or annotate the Activity Log, so there it is a warning only.
    add(`${MARK} ${tab.name} is written by the service`, { sheetId }, tab.name === TABS.activity);
  }
  return requests;
}

function highlights(
  tab: TabLayout,
  sheetId: number,
  columns: Map<string, number>,
  sheet: sheets_v4.Schema$Sheet | undefined,
  rowCount: number,
  repaired: string[],
): Request[] {
  if (!tab.highlights) return [];
  const statusIndex = columns.get(tab.highlights.column);
  if (statusIndex === undefined) return [];
  const letter = columnLetter(statusIndex + 1);
  const existing = new Set(
    (sheet?.conditionalFormats ?? []).flatMap((f) =>
      (f.booleanRule?.condition?.values ?? []).map((v) => v.userEnteredValue ?? ''),
    ),
  );
  return tab.highlights.rules
    .map((rule) => ({ rule, formula: `=$${letter}2="${rule.equals}"` }))
    .filter(({ formula }) => !existing.has(formula))
    .map(({ rule, formula }, i) => {
      if (sheet) repaired.push(`highlight of ${rule.equals} on "${tab.name}"`);
      return {
        addConditionalFormatRule: {
          index: i,
          rule: {
            ranges: [
              {
                sheetId,
                startRowIndex: 1,
                endRowIndex: rowCount,
                startColumnIndex: 0,
                endColumnIndex: Math.max(...columns.values()) + 1,
              },
            ],
            booleanRule: {
              condition: { type: 'CUSTOM_FORMULA', values: [{ userEnteredValue: formula }] },
              format: { backgroundColor: rgb(rule.fill) },
            },
          },
        },
      };
    });
}

function charts(
  layout: WorkbookLayout,
  sheets: Map<string, sheets_v4.Schema$Sheet>,
  idOf: ReadonlyMap<string, number>,
  repaired: string[],
): Request[] {
  const requests: Request[] = [];
  for (const chart of SUMMARY_CHARTS) {
    if (!layout.tabs.some((t) => t.name === chart.tab)) continue;
    const sheet = sheets.get(chart.tab);
    if ((sheet?.charts ?? []).some((c) => c.spec?.title === chart.title)) continue;
    const sheetId = idOf.get(chart.tab)!;
    const source = (column: number): sheets_v4.Schema$ChartData => ({
      sourceRange: {
        sources: [
          {
            sheetId,
            startRowIndex: chart.firstRow,
            endRowIndex: chart.firstRow + chart.rows,
            startColumnIndex: column,
            endColumnIndex: column + 1,
          },
        ],
      },
    });
    requests.push({
      addChart: {
        chart: {
          spec: {
            title: chart.title,
            basicChart: {
              chartType: 'COLUMN',
              legendPosition: 'NO_LEGEND',
              domains: [{ domain: source(chart.labelColumn) }],
              series: [{ series: source(chart.valueColumn), targetAxis: 'LEFT_AXIS' }],
            },
          },
          position: { overlayPosition: { anchorCell: { sheetId, rowIndex: chart.firstRow - 2, columnIndex: 7 } } },
        },
      },
    });
    if (sheet) repaired.push(`chart "${chart.title}"`);
  }
  return requests;
}
