import { z } from 'zod/v4';
import { type CellValue, type SheetRow, type SheetTable, cellText, isBlankCell, isCellError } from './cells.ts';
import {
  type Column,
  type DataDisposition,
  type Decision,
  type DisputeCategory,
  type DisputeLevel,
  type ListName,
  type Outcome,
  type RestrictionSolution,
  type Stage,
  DISPUTE_COLUMNS,
  PROPOSAL_COLUMNS,
  TABS,
  TASK_COLUMNS,
  allLists,
} from './contract.ts';
import { type IsoDate, parseDateCell } from './dates.ts';

export type Severity = 'error' | 'warning';

export interface RowIssue {
  readonly tab: string;
  /** The sheet row where the problem was read (0 when it concerns the tab, not a row). */
  readonly row: number;
  readonly id: string | null;
  readonly column: string | null;
  readonly message: string;
  readonly severity: Severity;
}

const EMAIL = z.email();

/** Builds the zod schema that reads one cell of a column into its typed value. */
function cellSchema(column: Column, lists: Record<ListName, readonly string[]>, today: IsoDate) {
  const base = z.custom<CellValue>().superRefine((value, ctx) => {
    if (isCellError(value)) ctx.addIssue({ code: 'custom', message: `contains the spreadsheet error ${value.error}` });
  });
  switch (column.type) {
    case 'date':
      return base.transform((value, ctx): IsoDate | null => {
        if (isCellError(value)) return null;
        const parsed = parseDateCell(value);
        if (parsed === null) return null;
        if (!parsed.ok) {
          ctx.addIssue({ code: 'custom', message: parsed.reason });
          return z.NEVER;
        }
        if (column.notInFuture && parsed.date > today) {
          ctx.addIssue({ code: 'custom', message: `${parsed.date} is in the future (today is ${today})` });
          return z.NEVER;
        }
        return parsed.date;
      });
    case 'email':
      return base.transform((value, ctx): string | null => {
        if (isCellError(value) || isBlankCell(value)) return null;
        const text = cellText(value);
        if (!EMAIL.safeParse(text).success) {
          ctx.addIssue({ code: 'custom', message: `"${text}" is not a valid email address` });
          return z.NEVER;
        }
        return text.toLowerCase();
      });
    case 'list': {
      const allowed = column.list ? lists[column.list] : [];
      const byKey = new Map(allowed.map((v) => [listKey(v), v]));
      return base.transform((value, ctx): string | null => {
        if (isCellError(value) || isBlankCell(value)) return null;
        const text = cellText(value);
        const match = byKey.get(listKey(text));
        if (match) return match;
        if (column.listIsAdvisory) return text;
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a known ${column.list ?? column.header}; choose one of: ${allowed.join(', ')}`,
        });
        return z.NEVER;
      });
    }
    case 'multi':
      return base.transform((value): string[] =>
        isCellError(value)
          ? []
          : cellText(value)
              .split(';')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
      );
    case 'number':
      return base.transform((value): number | null => (typeof value === 'number' ? value : null));
    default:
      return base.transform((value): string | null =>
        isCellError(value) || isBlankCell(value) ? null : cellText(value),
      );
  }
}

/** Case and spacing do not matter when matching a dropdown value: "internal  review" is Internal Review. */
function listKey(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

function rowSchema(columns: readonly Column[], lists: Record<ListName, readonly string[]>, today: IsoDate) {
  return z.object(
    Object.fromEntries(columns.filter((c) => c.owner === 'staff').map((c) => [c.header, cellSchema(c, lists, today)])),
  );
}

export interface ParseContext {
  readonly today: IsoDate;
  readonly departments: readonly string[];
}

/** The staff columns of a Proposals row, read by header. Exported for its type and for tests. */
export function ProposalRowSchema(context: ParseContext) {
  return rowSchema(PROPOSAL_COLUMNS, allLists(context.departments), context.today);
}

export function DisputeRowSchema(context: ParseContext) {
  return rowSchema(DISPUTE_COLUMNS, allLists(context.departments), context.today);
}

export function TaskRowSchema(context: ParseContext) {
  return rowSchema(TASK_COLUMNS, allLists(context.departments), context.today);
}

/** Parsed staff fields by header. Each column's schema fixes the type its accessor reads. */
class Fields {
  private readonly values: Readonly<Record<string, unknown>>;
  constructor(values: Readonly<Record<string, unknown>>) {
    this.values = values;
  }
  /** Undefined when the cell failed to parse; null when blank. */
  raw(header: string): unknown {
    return this.values[header];
  }
  text(header: string): string | null {
    const v = this.values[header];
    return typeof v === 'string' ? v : null;
  }
  date(header: string): IsoDate | null {
    return this.text(header);
  }
  list(header: string): string[] {
    const v = this.values[header];
    return Array.isArray(v) ? (v as string[]) : [];
  }
}

export interface Proposal {
  readonly rowNumber: number;
  readonly bucpId: string;
  /** False when the row has at least one error: it is tracked but counted as invalid. */
  readonly valid: boolean;
  /** Columns whose cell could not be read: a later check must not call them blank. */
  readonly errorColumns: readonly string[];
  readonly useCaseName: string | null;
  readonly requestingDepartment: string | null;
  readonly providingDepartment: string | null;
  readonly requestingCoordinatorEmail: string | null;
  readonly providingCoordinatorEmail: string | null;
  readonly sponsorEmail: string | null;
  readonly datasets: readonly string[];
  readonly stage: Stage | null;
  readonly stageEnteredOn: IsoDate | null;
  readonly conceptOn: IsoDate | null;
  readonly submittedOn: IsoDate | null;
  readonly approvedOn: IsoDate | null;
  readonly filedOn: IsoDate | null;
  readonly firstDataTransferOn: IsoDate | null;
  readonly closedOn: IsoDate | null;
  readonly outcome: Outcome | null;
  readonly restrictionSolution: RestrictionSolution | null;
  readonly nextAction: string | null;
  readonly nextActionOwnerEmail: string | null;
  readonly nextActionDue: IsoDate | null;
  readonly dataSharingOutcome: string | null;
  readonly endDate: IsoDate | null;
  readonly dataDisposition: DataDisposition | null;
  readonly dispositionOn: IsoDate | null;
  readonly legalAuthority: string | null;
  readonly documents: string | null;
  readonly lessonsLearned: string | null;
  /** The system cells as they were read, so that only changed values are written. */
  readonly systemCells: Readonly<Record<string, CellValue>>;
}

export interface Dispute {
  readonly rowNumber: number;
  readonly disputeId: string;
  readonly bucpId: string | null;
  readonly valid: boolean;
  readonly raisedOn: IsoDate | null;
  readonly category: DisputeCategory | null;
  readonly level: DisputeLevel;
  readonly levelEnteredOn: IsoDate | null;
  readonly decision: Decision | null;
  readonly resolvedOn: IsoDate | null;
  readonly resolutionSummary: string | null;
  readonly systemCells: Readonly<Record<string, CellValue>>;
}

export interface Task {
  readonly rowNumber: number;
  readonly taskId: string;
  readonly bucpId: string | null;
  readonly valid: boolean;
  readonly task: string | null;
  readonly ownerEmail: string | null;
  readonly due: IsoDate | null;
  readonly doneOn: IsoDate | null;
  readonly systemCells: Readonly<Record<string, CellValue>>;
}

export interface ParsedTab<T> {
  readonly records: T[];
  readonly issues: RowIssue[];
  /** Rows that hold data but no usable ID: reported, never dropped from the sheet. */
  readonly unaddressableRows: number;
}

interface FieldParse {
  readonly fields: Fields;
  readonly issues: { column: string; message: string }[];
}

/** What a blank cell reads as, by column: an empty list for multi-value columns, otherwise nothing. */
function blankValues(columns: readonly Column[]): Readonly<Record<string, unknown>> {
  return Object.fromEntries(
    columns.filter((c) => c.owner === 'staff').map((c) => [c.header, c.type === 'multi' ? [] : null]),
  );
}

type CellParse = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly messages: string[] };

/** Distinct values remembered per column; beyond this a column of unique values (IDs, names) is parsed afresh. */
const MEMO_LIMIT = 4096;

/**
 * Parses one tab's cells, each distinct value of a column once: a tracker repeats the same stages,
 * departments, emails and dates on thousands of rows, and a parse result depends only on the value.
 */
class CellParser {
  private readonly columns: { readonly header: string; readonly memo: Map<string | number | boolean, CellParse> }[];
  private readonly schema: z.ZodObject;
  /** Every row's fields start as a copy of the blanks, so all rows share one object shape. */
  private readonly blanks: Readonly<Record<string, unknown>>;

  constructor(schema: z.ZodObject, blanks: Readonly<Record<string, unknown>>) {
    this.schema = schema;
    this.blanks = blanks;
    this.columns = Object.keys(schema.shape).map((header) => ({ header, memo: new Map() }));
  }

  row(row: SheetRow): FieldParse {
    const fields: Record<string, unknown> = { ...this.blanks };
    const issues: { column: string; message: string }[] = [];
    // Each cell is parsed on its own, so one bad cell never hides the others or drops the row.
    // A blank cell always reads the same way (nothing, or an empty list), so only filled cells need zod.
    for (const { header, memo } of this.columns) {
      const value = row.cells[header] ?? null;
      if (isBlankCell(value)) continue;
      const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      let result = primitive ? memo.get(value) : undefined;
      if (!result) {
        result = this.parse(header, value);
        if (primitive && memo.size < MEMO_LIMIT) memo.set(value, result);
      }
      if (result.ok) fields[header] = result.data;
      else {
        fields[header] = undefined;
        for (const message of result.messages) issues.push({ column: header, message: `${header}: ${message}` });
      }
    }
    return { fields: new Fields(fields), issues };
  }

  private parse(header: string, value: CellValue): CellParse {
    const result = (this.schema.shape[header] as z.ZodType).safeParse(value);
    return result.success
      ? { ok: true, data: result.data }
      : { ok: false, messages: result.error.issues.map((i) => i.message) };
  }
}

function hasStaffData(row: SheetRow, staffHeaders: readonly string[]): boolean {
  return staffHeaders.some((h) => !isBlankCell(row.cells[h]));
}

/** What one row parses to: its record (valid as far as the row alone can tell) and its issues. */
interface RowParse<T> {
  readonly record: T;
  readonly issues: RowIssue[];
}

/** Which tab is parsed, the column holding its IDs, and its staff columns (a row with none is skipped). */
interface TabSpec {
  readonly tab: string;
  readonly idHeader: string;
  readonly staffHeaders: readonly string[];
}

/**
 * Parses a tab's rows. Rows with no ID are reported; an ID used on several rows makes each of its rows
 * reported and invalid. Records and issues come out in row order.
 */
function parseTab<T extends { readonly rowNumber: number; readonly valid: boolean }>(
  rows: readonly SheetRow[],
  spec: TabSpec,
  parseRow: (row: SheetRow, id: string) => RowParse<T>,
): ParsedTab<T> {
  const { tab, idHeader } = spec;
  // Stores give rows top to bottom; a table built some other way is put in order here.
  const inOrder = rows.every((r, i) => i === 0 || rows[i - 1]!.rowNumber <= r.rowNumber);
  const ordered = inOrder ? rows : [...rows].sort((a, b) => a.rowNumber - b.rowNumber);
  const records: T[] = [];
  const idIssues: RowIssue[] = [];
  const rowIssues: RowIssue[] = [];
  /** Each ID's record indexes: more than one when the ID is on several rows. */
  const recordsById = new Map<string, number[]>();
  let unaddressable = 0;
  for (const row of ordered) {
    if (!hasStaffData(row, spec.staffHeaders)) continue;
    const id = cellText(row.cells[idHeader]);
    if (id === '' || isCellError(row.cells[idHeader])) {
      unaddressable += 1;
      idIssues.push({
        tab,
        row: row.rowNumber,
        id: null,
        column: idHeader,
        severity: 'error',
        message: `Row ${row.rowNumber} has data but no ${idHeader}: give it a unique ${idHeader} so it can be tracked`,
      });
      continue;
    }
    const indexes = recordsById.get(id);
    if (indexes) indexes.push(records.length);
    else recordsById.set(id, [records.length]);
    const { record, issues } = parseRow(row, id);
    records.push(record);
    rowIssues.push(...issues);
  }
  const duplicateIssues: RowIssue[] = [];
  for (const [id, indexes] of recordsById) {
    if (indexes.length === 1) continue;
    const where = indexes.map((i) => records[i]!.rowNumber).join(', ');
    for (const i of indexes) {
      records[i] = { ...records[i]!, valid: false };
      duplicateIssues.push({
        tab,
        row: records[i]!.rowNumber,
        id,
        column: idHeader,
        severity: 'error',
        message: `${idHeader} ${id} is used on rows ${where}: each ${idHeader} must be unique`,
      });
    }
  }
  return { records, issues: [...idIssues, ...duplicateIssues, ...rowIssues], unaddressableRows: unaddressable };
}

/** Copies a row's system cells, every copy from one template so that all share one object shape. */
function systemCellsReader(columns: readonly Column[]): (row: SheetRow) => Readonly<Record<string, CellValue>> {
  const headers = columns.filter((c) => c.owner === 'system').map((c) => c.header);
  const template: Record<string, CellValue> = Object.fromEntries(headers.map((h) => [h, null]));
  // A row whose system cells are all blank (every row of a first sync) shares one frozen record.
  const allBlank: Readonly<Record<string, CellValue>> = Object.freeze({ ...template });
  return (row) => {
    if (headers.every((h) => (row.cells[h] ?? null) === null)) return allBlank;
    const cells = { ...template };
    for (const h of headers) cells[h] = row.cells[h] ?? null;
    return cells;
  };
}
const proposalSystemCells = systemCellsReader(PROPOSAL_COLUMNS);
const disputeSystemCells = systemCellsReader(DISPUTE_COLUMNS);
const taskSystemCells = systemCellsReader(TASK_COLUMNS);

/** Date columns that must come in this order on one proposal. */
const DATE_ORDER: readonly (readonly [string, string])[] = [
  ['Concept On', 'Submitted On'],
  ['Submitted On', 'Approved On'],
  ['Approved On', 'Filed On'],
  ['Concept On', 'First Data Transfer On'],
];

const NO_COLUMNS: readonly string[] = Object.freeze([]);

const staffHeadersOf = (columns: readonly Column[]) => columns.filter((c) => c.owner === 'staff').map((c) => c.header);

const PROPOSALS_TAB: TabSpec = {
  tab: TABS.proposals,
  idHeader: 'BUCP ID',
  staffHeaders: staffHeadersOf(PROPOSAL_COLUMNS),
};
const DISPUTES_TAB: TabSpec = {
  tab: TABS.disputes,
  idHeader: 'Dispute ID',
  staffHeaders: staffHeadersOf(DISPUTE_COLUMNS),
};
const TASKS_TAB: TabSpec = {
  tab: TABS.tasks,
  idHeader: 'Task ID',
  staffHeaders: staffHeadersOf(TASK_COLUMNS),
};

export function parseProposals(table: SheetTable, context: ParseContext): ParsedTab<Proposal> {
  const tab = TABS.proposals;
  const cells = new CellParser(ProposalRowSchema(context), blankValues(PROPOSAL_COLUMNS));
  const departments = new Set(context.departments.map((d) => d.toLowerCase()));

  return parseTab<Proposal>(table.rows, PROPOSALS_TAB, (row, id) => {
    const parsed = cells.row(row);
    const f = parsed.fields;
    const rowIssues = errorsOf(parsed);
    const warn = (column: string, message: string) => rowIssues.push({ column, message, severity: 'warning' });

    if (f.raw('Stage') === null && !parsed.issues.some((i) => i.column === 'Stage')) {
      rowIssues.push({
        column: 'Stage',
        message: 'Stage: is blank; choose the stage the proposal is in',
        severity: 'error',
      });
    }
    for (const header of ['Requesting Department', 'Providing Department'] as const) {
      const value = f.text(header);
      if (value && !departments.has(value.toLowerCase())) {
        warn(
          header,
          `${header}: "${value}" is not in the configured department list (fine for partners outside CalHHS)`,
        );
      }
    }
    for (const [earlier, later] of DATE_ORDER) {
      const a = f.date(earlier);
      const b = f.date(later);
      if (a && b && b < a) warn(later, `${later}: ${b} is before ${earlier} ${a}; check both dates`);
    }
    const stage = f.text('Stage') as Stage | null;
    if (stage === 'Active' && f.text('Outcome') === 'Denied') warn('Outcome', 'Outcome: is Denied but Stage is Active');
    if (f.date('Next Action Due') && f.raw('Next Action Owner Email') === null) {
      warn(
        'Next Action Owner Email',
        'Next Action Owner Email: is blank, so nobody is reminded when the next action is due',
      );
    }
    const endDate = f.date('End Date');
    const firstTransfer = f.date('First Data Transfer On');
    if (endDate && firstTransfer && endDate < firstTransfer) {
      warn('End Date', `End Date: ${endDate} is before First Data Transfer On ${firstTransfer}`);
    }
    const dispositionOn = f.date('Disposition On');
    if (dispositionOn && f.raw('Data Disposition') === null) {
      warn('Data Disposition', `Data Disposition: is blank although Disposition On is ${dispositionOn}; choose one`);
    }
    // Returning or destroying the data before the agreement ends is allowed, but the reason belongs in Notes.
    if (dispositionOn && endDate && dispositionOn < endDate && f.raw('Notes') === null) {
      warn('Disposition On', `Disposition On: ${dispositionOn} is before End Date ${endDate}; say why in Notes`);
    }

    const record: Proposal = {
      rowNumber: row.rowNumber,
      bucpId: id,
      valid: !rowIssues.some((i) => i.severity === 'error'),
      errorColumns: parsed.issues.length === 0 ? NO_COLUMNS : parsed.issues.map((i) => i.column),
      useCaseName: f.text('Use Case Name'),
      requestingDepartment: f.text('Requesting Department'),
      providingDepartment: f.text('Providing Department'),
      requestingCoordinatorEmail: f.text('Requesting Coordinator Email'),
      providingCoordinatorEmail: f.text('Providing Coordinator Email'),
      sponsorEmail: f.text('Sponsor Email'),
      datasets: f.list('Datasets'),
      stage,
      stageEnteredOn: f.text('Stage Entered On'),
      conceptOn: f.text('Concept On'),
      submittedOn: f.text('Submitted On'),
      approvedOn: f.text('Approved On'),
      filedOn: f.text('Filed On'),
      firstDataTransferOn: f.text('First Data Transfer On'),
      closedOn: f.text('Closed On'),
      outcome: f.text('Outcome') as Outcome | null,
      restrictionSolution: f.text('Restriction Solution') as RestrictionSolution | null,
      nextAction: f.text('Next Action'),
      nextActionOwnerEmail: f.text('Next Action Owner Email'),
      nextActionDue: f.text('Next Action Due'),
      dataSharingOutcome: f.text('Data-Sharing Outcome'),
      endDate: f.text('End Date'),
      dataDisposition: f.text('Data Disposition') as DataDisposition | null,
      dispositionOn,
      legalAuthority: f.text('Legal Authority'),
      documents: f.text('Documents'),
      lessonsLearned: f.text('Lessons Learned'),
      systemCells: proposalSystemCells(row),
    };
    return { record, issues: rowIssues.map((issue) => ({ tab, row: row.rowNumber, id, ...issue })) };
  });
}

type RowIssueDraft = { column: string; message: string; severity: Severity };

/** A row's cell errors, as row issues to which the row's own checks add. */
function errorsOf(parsed: FieldParse): RowIssueDraft[] {
  return parsed.issues.map((i) => ({ ...i, severity: 'error' }));
}

/**
 * The issues of a row that names its proposal by BUCP ID (a dispute, a task): a blank ID is an error
 * (unless the cell itself is already reported), an ID on no proposal a warning.
 */
function proposalReferenceIssues(
  parsed: FieldParse,
  bucpId: string | null,
  knownBucpIds: ReadonlySet<string>,
  says: { readonly blank: string; readonly unknown: string },
): RowIssueDraft[] {
  if (bucpId === null) {
    return parsed.issues.some((i) => i.column === 'BUCP ID')
      ? []
      : [{ column: 'BUCP ID', message: `BUCP ID: is blank; ${says.blank}`, severity: 'error' }];
  }
  return knownBucpIds.has(bucpId)
    ? []
    : [{ column: 'BUCP ID', message: `BUCP ID: ${bucpId} ${says.unknown}`, severity: 'warning' }];
}

export function parseDisputes(
  table: SheetTable,
  context: ParseContext,
  knownBucpIds: ReadonlySet<string>,
): ParsedTab<Dispute> {
  const tab = TABS.disputes;
  const cells = new CellParser(DisputeRowSchema(context), blankValues(DISPUTE_COLUMNS));
  return parseTab<Dispute>(table.rows, DISPUTES_TAB, (row, id) => {
    const parsed = cells.row(row);
    const f = parsed.fields;
    const rowIssues = errorsOf(parsed);
    const bucpId = f.text('BUCP ID');
    rowIssues.push(
      ...proposalReferenceIssues(parsed, bucpId, knownBucpIds, {
        blank: 'name the proposal this dispute is about',
        unknown: 'is not on the Proposals tab, so its coordinators cannot be copied',
      }),
    );
    const raisedOn = f.date('Raised On');
    const resolvedOn = f.date('Resolved On');
    if (raisedOn && resolvedOn && resolvedOn < raisedOn) {
      rowIssues.push({
        column: 'Resolved On',
        message: `Resolved On: ${resolvedOn} is before Raised On ${raisedOn}`,
        severity: 'error',
      });
    }
    if (resolvedOn && (f.text('Decision') === 'Pending' || f.raw('Decision') === null)) {
      rowIssues.push({
        column: 'Decision',
        message: 'Decision: is still Pending although Resolved On is filled',
        severity: 'warning',
      });
    }
    const record: Dispute = {
      rowNumber: row.rowNumber,
      disputeId: id,
      bucpId,
      valid: !rowIssues.some((i) => i.severity === 'error'),
      raisedOn,
      category: f.text('Category') as DisputeCategory | null,
      level: (f.text('Level') as DisputeLevel | null) ?? 'Data Coordinators',
      levelEnteredOn: f.text('Level Entered On'),
      decision: f.text('Decision') as Decision | null,
      resolvedOn,
      resolutionSummary: f.text('Resolution Summary'),
      systemCells: disputeSystemCells(row),
    };
    return { record, issues: rowIssues.map((issue) => ({ tab, row: row.rowNumber, id, ...issue })) };
  });
}

/**
 * Parses the Tasks tab. A task names its proposal by BUCP ID; one that matches no proposal is reported
 * (a typo, or a proposal deleted) and still reminded: the owner's work is due either way.
 */
export function parseTasks(
  table: SheetTable,
  context: ParseContext,
  knownBucpIds: ReadonlySet<string>,
): ParsedTab<Task> {
  const tab = TABS.tasks;
  const cells = new CellParser(TaskRowSchema(context), blankValues(TASK_COLUMNS));
  return parseTab<Task>(table.rows, TASKS_TAB, (row, id) => {
    const parsed = cells.row(row);
    const f = parsed.fields;
    const rowIssues = errorsOf(parsed);
    const bucpId = f.text('BUCP ID');
    rowIssues.push(
      ...proposalReferenceIssues(parsed, bucpId, knownBucpIds, {
        blank: 'name the proposal this task is for',
        unknown: 'matches no proposal on the Proposals tab; correct it',
      }),
    );
    const due = f.date('Due');
    if (due && f.raw('Owner Email') === null) {
      rowIssues.push({
        column: 'Owner Email',
        message: 'Owner Email: is blank, so nobody is reminded when the task is due',
        severity: 'warning',
      });
    }
    const record: Task = {
      rowNumber: row.rowNumber,
      taskId: id,
      bucpId,
      valid: !rowIssues.some((i) => i.severity === 'error'),
      task: f.text('Task'),
      ownerEmail: f.text('Owner Email'),
      due,
      doneOn: f.date('Done On'),
      systemCells: taskSystemCells(row),
    };
    return { record, issues: rowIssues.map((issue) => ({ tab, row: row.rowNumber, id, ...issue })) };
  });
}
