import type { sheets_v4 } from '@googleapis/sheets';
import { TABS } from '../../core/contract.ts';
import { type ColumnLayout, type TabLayout, type WorkbookLayout, columnLetter, listRange } from '../../core/layout.ts';
import { SUMMARY_CHARTS } from '../../core/metrics.ts';
import type { LayoutReport } from '../../core/ports.ts';
import { readHeaderRow } from '../table.ts';
import { quoteTab } from './a1.ts';
import type { SpreadsheetTransport } from './transport.ts';

type Request = sheets_v4.Schema$Request;
type Sheet = sheets_v4.Schema$Sheet;

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

/** What the spreadsheet has now, as far as its layout goes. */
interface CurrentLayout {
  /** The tabs it has, by title. */
  readonly sheets: ReadonlyMap<string, Sheet>;
  /** Each tab's sheet ID, by title. */
  readonly sheetIds: ReadonlyMap<string, number>;
  /** Each layout tab's header row as it is (the Lists tab: all of it). */
  readonly content: ReadonlyMap<string, unknown[][]>;
  /** Tabs kept exactly as wide as their columns that have more columns, all of them empty. */
  readonly unusedBeyond: ReadonlySet<string>;
  /** The list columns that have a dropdown already, by tab. */
  readonly validated: ReadonlyMap<string, ReadonlySet<string>>;
  /** The service account: the only editor of system columns and tabs. */
  readonly editor: string | undefined;
}

/** One layout tab as this batch leaves it: its sheet, and where each of its columns is. */
interface TabPlace {
  readonly tab: TabLayout;
  /** The tab as it is; undefined when this batch adds it. */
  readonly sheet: Sheet | undefined;
  readonly sheetId: number;
  /** Each column's 0-based index, the missing ones added after the last header. */
  readonly columns: ReadonlyMap<string, number>;
  readonly added: readonly { readonly index: number; readonly column: ColumnLayout }[];
  /** How many columns the header row spans once the missing ones are added. */
  readonly width: number;
}

/** Requests of one kind, and what they do, in words for the report. */
interface Planned {
  readonly requests: readonly Request[];
  readonly created?: readonly string[];
  readonly repaired?: readonly string[];
  readonly removed?: readonly string[];
}

/**
 * Reads what the spreadsheet has (2 or 3 calls) and sends everything it lacks in one atomic
 * spreadsheets.batchUpdate: tabs, headers, frozen rows, dropdowns, date formats, protections,
 * highlights, the lists and charts. A complete spreadsheet gets no write at all. Staff cells are never
 * sent.
 */
export async function ensureSpreadsheetLayout(
  transport: SpreadsheetTransport,
  layout: WorkbookLayout,
): Promise<LayoutReport> {
  const current = await readLayout(transport, layout);
  const places = placeTabs(layout, current);
  const sheetIds = new Map([...current.sheetIds, ...places.map((p) => [p.tab.name, p.sheetId] as const)]);
  const planned: Planned[] = [];
  for (const place of places) {
    planned.push(
      tabRequests(place, current, layout),
      headerRequests(place, layout),
      frozenRowRequests(place),
      validationRequests(place, current, layout),
      protectionRequests(place, current.editor),
      highlightRequests(place, layout),
    );
  }
  planned.push(listsRequests(layout, current, sheetIds), chartRequests(layout, current, sheetIds));
  const requests = planned.flatMap((p) => p.requests);
  if (requests.length > 0) {
    await transport.call('spreadsheets.batchUpdate', () =>
      transport.api.spreadsheets.batchUpdate({ spreadsheetId: transport.spreadsheetId, requestBody: { requests } }),
    );
  }
  const removed = planned.flatMap((p) => p.removed ?? []);
  return {
    created: planned.flatMap((p) => p.created ?? []),
    repaired: planned.flatMap((p) => p.repaired ?? []),
    ...(removed.length > 0 ? { removed } : {}),
  };
}

/** The tabs, grid sizes, protections, highlights and charts; the header rows; the dropdowns there are. */
async function readLayout(transport: SpreadsheetTransport, layout: WorkbookLayout): Promise<CurrentLayout> {
  const { api, spreadsheetId, call } = transport;
  const meta = await call('spreadsheets.get', () =>
    api.spreadsheets.get({
      spreadsheetId,
      fields:
        'sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)),protectedRanges(protectedRangeId,description),conditionalFormats(ranges,booleanRule(condition)),charts(chartId,spec(title)))',
    }),
  );
  const sheets = new Map((meta.sheets ?? []).map((s) => [s.properties?.title ?? '', s]));
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
  return {
    sheets,
    sheetIds: new Map((meta.sheets ?? []).map((s) => [s.properties?.title ?? '', s.properties?.sheetId ?? 0])),
    content: new Map(existing.map((t, i) => [t.name, (headerData.valueRanges?.[i]?.values ?? []) as unknown[][]])),
    unusedBeyond: new Set(
      wide
        .filter((_t, i) => (headerData.valueRanges?.[existing.length + i]?.values ?? []).length === 0)
        .map((t) => t.name),
    ),
    validated: await validatedColumns(transport, existing, sheets),
    editor: await transport.accountEmail(),
  };
}

/** Where each layout tab is, or will be once added, and where its missing columns go. */
function placeTabs(layout: WorkbookLayout, current: CurrentLayout): TabPlace[] {
  const taken = new Set([...current.sheets.values()].map((s) => s.properties?.sheetId ?? -1));
  return layout.tabs.map((tab) => {
    const found = current.sheets.get(tab.name);
    const id = found?.properties?.sheetId;
    const sheet = id === undefined || id === null ? undefined : found;
    let sheetId = id ?? undefined;
    if (sheetId === undefined) {
      sheetId = sheetIdFor(tab.name, taken);
      taken.add(sheetId);
    }
    const header = (current.content.get(tab.name) ?? [])[0] ?? [];
    const columns = new Map(readHeaderRow(tab.name, header).columns);
    const added: { index: number; column: ColumnLayout }[] = [];
    let width = header.length;
    for (const column of tab.columns) {
      if (columns.has(column.header)) continue;
      columns.set(column.header, width);
      added.push({ index: width, column });
      width += 1;
    }
    return { tab, sheet, sheetId, columns, added, width };
  });
}

/**
 * A missing tab is added. An existing one grows to the columns its header row needs, and a tab kept
 * exactly as wide as its columns loses the empty columns beyond them.
 */
function tabRequests(place: TabPlace, current: CurrentLayout, layout: WorkbookLayout): Planned {
  const { tab, sheet, sheetId, width } = place;
  // Google's default width, except on tabs kept exactly as wide as their columns.
  const defaultWidth = tab.exactWidth ? tab.columns.length : Math.max(tab.columns.length, 26);
  if (!sheet) {
    return {
      requests: [
        {
          addSheet: {
            properties: {
              sheetId,
              title: tab.name,
              gridProperties: {
                rowCount: Math.max(layout.dataRows + 1, 1000),
                columnCount: defaultWidth,
                frozenRowCount: tab.frozenRows,
                frozenColumnCount: tab.frozenColumns,
              },
            },
          },
        },
      ],
      created: [`tab "${tab.name}"`],
    };
  }
  const gridColumns = sheet.properties?.gridProperties?.columnCount ?? defaultWidth;
  const requests: Request[] = [];
  const removed: string[] = [];
  if (width > gridColumns) {
    requests.push({ appendDimension: { sheetId, dimension: 'COLUMNS', length: width - gridColumns } });
  }
  if (current.unusedBeyond.has(tab.name) && width === tab.columns.length) {
    requests.push({
      deleteDimension: {
        range: { sheetId, dimension: 'COLUMNS', startIndex: width, endIndex: gridColumns },
      },
    });
    removed.push(
      `the empty columns ${columnLetter(width + 1)}:${columnLetter(gridColumns)} of "${tab.name}" (Google counts every cell of a tab against the spreadsheet's limit)`,
    );
  }
  return { requests, removed };
}

/** The headers a tab lacks, each with its format, width and (for a date column) its date format. */
function headerRequests(place: TabPlace, layout: WorkbookLayout): Planned {
  const { tab, sheet, sheetId } = place;
  const requests: Request[] = [];
  const repaired: string[] = [];
  for (const { index, column } of place.added) {
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
          range: dataColumnRange(sheetId, index, layout),
          cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } } },
          fields: 'userEnteredFormat.numberFormat',
        },
      });
    }
    if (sheet) repaired.push(`column "${column.header}" on "${tab.name}"`);
  }
  return { requests, repaired };
}

/** The frozen header rows and columns, on a tab that has fewer frozen rows than it should. */
function frozenRowRequests({ tab, sheet, sheetId }: TabPlace): Planned {
  const frozen = sheet?.properties?.gridProperties?.frozenRowCount ?? 0;
  if (!sheet || tab.frozenRows === 0 || frozen >= tab.frozenRows) return { requests: [] };
  return {
    requests: [
      {
        updateSheetProperties: {
          properties: {
            sheetId,
            gridProperties: { frozenRowCount: tab.frozenRows, frozenColumnCount: tab.frozenColumns },
          },
          fields: 'gridProperties.frozenRowCount,gridProperties.frozenColumnCount',
        },
      },
    ],
    repaired: [`frozen header on "${tab.name}"`],
  };
}

/** A dropdown from the Lists tab on each list column that has none. */
function validationRequests(place: TabPlace, current: CurrentLayout, layout: WorkbookLayout): Planned {
  const { tab, sheet, sheetId, columns } = place;
  const requests: Request[] = [];
  const repaired: string[] = [];
  for (const column of tab.columns) {
    if (!column.list || !layout.lists[column.list] || current.validated.get(tab.name)?.has(column.header)) continue;
    const index = columns.get(column.header)!;
    requests.push({
      setDataValidation: {
        range: dataColumnRange(sheetId, index, layout),
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
  return { requests, repaired };
}

/** Which list columns already have a dropdown, read from the first data row's grid data. */
async function validatedColumns(
  transport: SpreadsheetTransport,
  existing: readonly TabLayout[],
  sheets: ReadonlyMap<string, Sheet>,
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

/**
 * A staff tab's system columns can be edited by the service account only; a system tab is protected
 * whole. Without a known service account, a warning is the most that can be set.
 */
function protectionRequests({ tab, sheet, sheetId, columns }: TabPlace, editor: string | undefined): Planned {
  const have = new Set((sheet?.protectedRanges ?? []).map((p) => p.description ?? ''));
  const requests: Request[] = [];
  const repaired: string[] = [];
  const add = (description: string, range: sheets_v4.Schema$GridRange, warningOnly: boolean) => {
    if (have.has(description)) return;
    requests.push({
      addProtectedRange: {
        protectedRange: {
          description,
          range,
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
  return { requests, repaired };
}

/** Whole-row highlights by the status column, each rule the tab lacks. */
function highlightRequests({ tab, sheet, sheetId, columns }: TabPlace, layout: WorkbookLayout): Planned {
  if (!tab.highlights) return { requests: [] };
  const statusIndex = columns.get(tab.highlights.column);
  if (statusIndex === undefined) return { requests: [] };
  const letter = columnLetter(statusIndex + 1);
  const existing = new Set(
    (sheet?.conditionalFormats ?? []).flatMap((f) =>
      (f.booleanRule?.condition?.values ?? []).map((v) => v.userEnteredValue ?? ''),
    ),
  );
  const missing = tab.highlights.rules
    .map((rule) => ({ rule, formula: `=$${letter}2="${rule.equals}"` }))
    .filter(({ formula }) => !existing.has(formula));
  return {
    requests: missing.map(({ rule, formula }, i) => ({
      addConditionalFormatRule: {
        index: i,
        rule: {
          ranges: [
            {
              sheetId,
              startRowIndex: 1,
              endRowIndex: layout.dataRows + 1,
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
    })),
    repaired: sheet ? missing.map(({ rule }) => `highlight of ${rule.equals} on "${tab.name}"`) : [],
  };
}

/** The Lists tab's columns, the dropdowns' source, rewritten when they differ from the layout's lists. */
function listsRequests(layout: WorkbookLayout, current: CurrentLayout, sheetIds: ReadonlyMap<string, number>): Planned {
  const lists = Object.entries(layout.lists);
  if (lists.length === 0) return { requests: [] };
  const wanted = [
    lists.map(([name]) => name),
    ...Array.from({ length: Math.max(...lists.map(([, v]) => v?.length ?? 0)) }, (_, i) =>
      lists.map(([, v]) => v?.[i] ?? null),
    ),
  ];
  const shown = current.content.get(TABS.lists) ?? [];
  const same =
    JSON.stringify(wanted.map((r) => r.map((v) => v ?? ''))) ===
    JSON.stringify(wanted.map((r, i) => r.map((_v, c) => String(shown[i]?.[c] ?? ''))));
  if (same && shown.length <= wanted.length) return { requests: [] };
  const height = Math.max(wanted.length, shown.length);
  return {
    requests: [
      {
        updateCells: {
          range: {
            sheetId: sheetIds.get(TABS.lists)!,
            startRowIndex: 0,
            startColumnIndex: 0,
            endRowIndex: height,
            endColumnIndex: lists.length,
          },
          rows: Array.from({ length: height }, (_, r) => ({
            values: lists.map((_l, c) => cellValue(wanted[r]?.[c] ?? null)),
          })),
          fields: 'userEnteredValue',
        },
      },
    ],
    repaired: current.sheets.has(TABS.lists) ? ['the Lists tab'] : [],
  };
}

/** The summary tabs' charts that are missing, found by title. */
function chartRequests(layout: WorkbookLayout, current: CurrentLayout, sheetIds: ReadonlyMap<string, number>): Planned {
  const requests: Request[] = [];
  const repaired: string[] = [];
  for (const chart of SUMMARY_CHARTS) {
    if (!layout.tabs.some((t) => t.name === chart.tab)) continue;
    const sheet = current.sheets.get(chart.tab);
    if ((sheet?.charts ?? []).some((c) => c.spec?.title === chart.title)) continue;
    const sheetId = sheetIds.get(chart.tab)!;
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
  return { requests, repaired };
}

/** One column's data rows (below the header), as far as dropdowns and formats reach. */
function dataColumnRange(sheetId: number, index: number, layout: WorkbookLayout) {
  return {
    sheetId,
    startRowIndex: 1,
    endRowIndex: layout.dataRows + 1,
    startColumnIndex: index,
    endColumnIndex: index + 1,
  };
}
