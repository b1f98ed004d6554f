import {
  type Column,
  type ListName,
  RESTRICTED_TAB,
  STATUS_HIGHLIGHTS,
  REFERENCE_TABS,
  SUMMARY_TABS,
  TABS,
  TRACKER_TABS,
  allLists,
} from './contract.ts';

/**
 * A workbook's layout as the templates in `sheets-templates/` describe it. Derived from the
 * contract only; stores build and repair their workbooks, spreadsheets or bases from it.
 */
export interface WorkbookLayout {
  readonly name: string;
  readonly tabs: readonly TabLayout[];
  /** Dropdown lists, one column each on the Lists tab (only in the tracker). */
  readonly lists: Readonly<Partial<Record<ListName, readonly string[]>>>;
  /** Data validation and highlighting reach this many data rows. */
  readonly dataRows: number;
}

export interface TabLayout {
  readonly name: string;
  readonly owner: 'staff' | 'system';
  readonly columns: readonly ColumnLayout[];
  readonly frozenRows: number;
  readonly frozenColumns: number;
  /**
   * The tab's grid is exactly as wide as its columns: a system tab with a column contract (the
   * Activity Log, the Issues tab). A spreadsheet's cell limit counts every cell of every tab's grid,
   * and the Activity Log grows by rows every cycle, so unused columns there cost rows of memory.
   */
  readonly exactWidth?: boolean;
  /** Whole-row highlights by the value of one column. */
  readonly highlights?: { readonly column: string; readonly rules: readonly { equals: string; fill: string }[] };
}

export interface ColumnLayout {
  readonly header: string;
  readonly owner: 'staff' | 'system';
  readonly type: Column['type'];
  readonly width: number;
  readonly list?: ListName;
  /** `warning` lets other values in (with a prompt); `stop` rejects them. */
  readonly validation?: 'stop' | 'warning';
}

/** How many data rows the dropdowns and highlights cover. Grows with `bucp init` if needed. */
export const DEFAULT_DATA_ROWS = 2000;

function columnLayout(column: Column): ColumnLayout {
  return {
    header: column.header,
    owner: column.owner,
    type: column.type,
    width: column.width,
    ...(column.list ? { list: column.list, validation: column.listIsAdvisory ? 'warning' : 'stop' } : {}),
  };
}

export function trackerLayout(departments: readonly string[], dataRows = DEFAULT_DATA_ROWS): WorkbookLayout {
  const lists = allLists(departments);
  const tabs: TabLayout[] = TRACKER_TABS.map((tab) => ({
    name: tab.name,
    owner: tab.owner,
    columns: tab.columns.map(columnLayout),
    frozenRows: 1,
    frozenColumns: tab.idColumn ? 1 : 0,
    ...(tab.owner === 'system' ? { exactWidth: true } : {}),
    ...(tab.name === TABS.tasks
      ? {
          highlights: {
            column: 'Status',
            rules: [
              { equals: 'Due Soon', fill: 'FFF4CC' },
              { equals: 'Overdue', fill: 'F4B6B6' },
            ],
          },
        }
      : {}),
    ...(tab.name === TABS.proposals || tab.name === TABS.disputes
      ? {
          highlights: {
            column: 'Status',
            rules: [
              ...STATUS_HIGHLIGHTS.map((h) => ({ equals: h.status, fill: h.fill })),
              ...(tab.name === TABS.disputes ? [{ equals: 'Overdue', fill: 'FFD9B3' }] : []),
            ],
          },
        }
      : {}),
  }));
  const listTab: TabLayout = {
    name: TABS.lists,
    owner: 'system',
    columns: Object.keys(lists).map((name) => ({ header: name, owner: 'system', type: 'text', width: 28 })),
    frozenRows: 1,
    frozenColumns: 0,
  };
  const summaryTabs: TabLayout[] = [...SUMMARY_TABS, ...REFERENCE_TABS].map((name) => ({
    name,
    owner: 'system',
    columns: [],
    frozenRows: 0,
    frozenColumns: 0,
  }));
  return { name: 'tracker', tabs: [...tabs, listTab, ...summaryTabs], lists, dataRows };
}

export function restrictedLayout(dataRows = DEFAULT_DATA_ROWS): WorkbookLayout {
  return {
    name: 'restricted',
    tabs: [
      {
        name: RESTRICTED_TAB.name,
        owner: 'staff',
        columns: RESTRICTED_TAB.columns.map(columnLayout),
        frozenRows: 1,
        frozenColumns: 1,
      },
    ],
    lists: {},
    dataRows,
  };
}

/** The layout with the configured departments in place of the template's defaults. */
export function withDepartments(layout: WorkbookLayout, departments: readonly string[]): WorkbookLayout {
  if (!layout.lists.Departments) return layout;
  return { ...layout, lists: { ...layout.lists, Departments: departments } };
}

/** 1-based column index to letters: 1 → A, 27 → AA. */
export function columnLetter(index: number): string {
  let n = index;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** The A1 range of a list's values on the Lists tab, for data validation. */
export function listRange(layout: WorkbookLayout, list: ListName): string {
  const names = Object.keys(layout.lists) as ListName[];
  const index = names.indexOf(list) + 1;
  const length = layout.lists[list]?.length ?? 0;
  const letter = columnLetter(index);
  return `'${TABS.lists}'!$${letter}$2:$${letter}$${Math.max(length + 1, 2)}`;
}
