// The bad-row corpus, driven through the real pipeline: a real .xlsx tracker seeded by header, a real
// cycle, then the workbook read back. Every bad row must be reported (report, Issues tab, Row Issues
// cell, log) and left exactly as staff typed it, while the good row beside it keeps syncing.
import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import { PROPOSAL_STATUSES } from '../src/core/contract.ts';
import type { CycleReport } from '../src/jobs/run-cycle.job.ts';
import {
  BAD_ROWS,
  type BadRowCase,
  GOOD_ID,
  GOOD_STAGE_SINCE,
  NOW,
  TODAY,
  type StaffTab,
  goodProposal,
} from './fixtures/bad-rows.ts';
import { type Row, type Workspace, makeWorkspace } from './support/workspace.ts';

const ID_HEADER: Record<StaffTab, string> = { Proposals: 'BUCP ID', Disputes: 'Dispute ID' };

/** A case's rows as they landed on the sheet. */
interface Placed {
  readonly case: BadRowCase;
  /** The sheet row of each of the case's rows, in order. */
  readonly sheetRows: readonly number[];
}

/** The ID the service should report a row under: its trimmed ID cell, or null when it has none. */
function expectedId(tab: StaffTab, row: Row): string | null {
  const value = row[ID_HEADER[tab]];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

function expectedMessage(placed: Placed): RegExp {
  const { message } = placed.case.issue;
  return typeof message === 'function' ? message(placed.sheetRows) : message;
}

/** The reported rows of a case: [row within the case, sheet row, expected id]. */
function reportedRows(placed: Placed): { index: number; sheetRow: number; id: string | null }[] {
  return (placed.case.on ?? [0]).map((index) => ({
    index,
    sheetRow: placed.sheetRows[index]!,
    id: expectedId(placed.case.tab, placed.case.rows[index]!),
  }));
}

/** Restricted records for every proposal a case names, unless the case is about a missing one. */
function restrictedFor(cases: readonly BadRowCase[]): Row[] {
  const ids = new Set<string>([GOOD_ID]);
  for (const c of cases) {
    if (c.tab !== 'Proposals' || c.noRestrictedRecord) continue;
    for (const row of c.rows) {
      const id = expectedId('Proposals', row);
      if (id) ids.add(id);
    }
  }
  return [...ids].map((id) => ({ 'BUCP ID': id }));
}

// --- reading the workbook back -------------------------------------------------------------------

interface Tab {
  readonly sheet: ExcelJS.Worksheet;
  readonly columns: ReadonlyMap<string, number>;
}

async function readWorkbook(ws: Workspace): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(ws.tracker.path);
  return wb;
}

function tab(wb: ExcelJS.Workbook, name: string): Tab {
  const sheet = wb.getWorksheet(name);
  if (!sheet) throw new Error(`the workbook has no "${name}" tab`);
  const columns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => columns.set(String(cell.value).trim(), col));
  return { sheet, columns };
}

function cellAt(t: Tab, rowNumber: number, header: string): ExcelJS.CellValue {
  const col = t.columns.get(header);
  if (!col) throw new Error(`"${t.sheet.name}" has no column "${header}"`);
  return t.sheet.getRow(rowNumber).getCell(col).value ?? null;
}

function text(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}

function rowsWithId(t: Tab, header: string, id: string): number[] {
  const found: number[] = [];
  t.sheet.eachRow({ includeEmpty: false }, (row, n) => {
    if (n > 1 && text(row.getCell(t.columns.get(header)!).value).trim() === id) found.push(n);
  });
  return found;
}

interface IssueLine {
  readonly tab: string;
  readonly row: number | null;
  readonly id: string;
  readonly column: string;
  readonly severity: string;
  readonly message: string;
}

function issuesTab(wb: ExcelJS.Workbook): IssueLine[] {
  const t = tab(wb, 'Issues');
  expect([...t.columns.keys()]).toEqual(['Tab', 'Row', 'ID', 'Column', 'Severity', 'Message']);
  const lines: IssueLine[] = [];
  t.sheet.eachRow({ includeEmpty: false }, (_row, n) => {
    if (n === 1) return;
    const row = cellAt(t, n, 'Row');
    lines.push({
      tab: text(cellAt(t, n, 'Tab')),
      row: typeof row === 'number' ? row : null,
      id: text(cellAt(t, n, 'ID')),
      column: text(cellAt(t, n, 'Column')),
      severity: text(cellAt(t, n, 'Severity')),
      message: text(cellAt(t, n, 'Message')),
    });
  });
  return lines;
}

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly tab?: string;
  readonly row?: number;
  readonly id?: string | null;
  readonly column?: string | null;
  readonly severity?: string;
}

const parseLogs = (ws: Workspace): LogLine[] => ws.logs.map((line) => JSON.parse(line) as LogLine);

// --- the checks ------------------------------------------------------------------------------------

type Check = typeof expect.soft;

/** Checks (1), (2), (4), (5) and (6) of one case against the cycle's report, the workbook and the log. */
function checkCase(
  check: Check,
  placed: Placed,
  report: CycleReport,
  wb: ExcelJS.Workbook,
  logs: readonly LogLine[],
): void {
  const c = placed.case;
  const { column, severity } = c.issue;
  const message = expectedMessage(placed);
  const staffTab = tab(wb, c.tab);
  const issueLines = issuesTab(wb);

  for (const { index, sheetRow, id } of reportedRows(placed)) {
    const where = `${c.name}: ${c.tab} row ${sheetRow}`;
    // (1) The cycle reports the issue on this row, under its ID, in its column, at its severity.
    const issue = report.rowIssues.find(
      (i) =>
        i.tab === c.tab &&
        i.row === sheetRow &&
        i.id === id &&
        i.column === column &&
        i.severity === severity &&
        message.test(i.message),
    );
    check(
      issue,
      `${where}: no ${severity} on ${column} matching ${message}; the row's issues were ${JSON.stringify(
        report.rowIssues.filter((i) => i.tab === c.tab && i.row === sheetRow),
      )}`,
    ).toBeDefined();
    if (!issue) continue;

    // (2) The message is understandable on its own: it names the column.
    check(issue.message, `${where}: the message names its column`).toContain(column);

    // (4) The bad row is still there, every staff cell exactly as staff typed it.
    for (const [header, typed] of Object.entries(c.rows[index]!)) {
      check(cellAt(staffTab, sheetRow, header), `${where}: staff cell "${header}" is unchanged`).toEqual(typed);
    }

    // (5) The Issues tab lists it, and the row's own Row Issues cell shows it.
    check(issueLines, `${where}: the Issues tab lists the issue`).toContainEqual({
      tab: c.tab,
      row: sheetRow,
      id: id ?? '',
      column,
      severity,
      message: issue.message,
    });
    if (id !== null) {
      check(text(cellAt(staffTab, sheetRow, 'Row Issues')), `${where}: Row Issues shows the issue`).toContain(
        severity === 'warning' ? `Warning: ${issue.message}` : issue.message,
      );
    }

    // (6) The issue was logged once as a structured warning line.
    check(
      logs.find(
        (l) =>
          l.msg.includes(issue.message) &&
          l.column === column &&
          l.tab === c.tab &&
          l.row === sheetRow &&
          (l.id ?? null) === id &&
          l.severity === severity,
      ),
      `${where}: a log line reports "${issue.message}"`,
    ).toMatchObject({ level: 40, msg: `row issue: ${issue.message}` });
  }
}

/** Check (3): the good proposal is tracked, has a status, no issues, and its system cells were written. */
function checkGoodRow(check: Check, report: CycleReport, wb: ExcelJS.Workbook): void {
  const finding = report.findings.find((f) => f.bucpId === GOOD_ID);
  check(finding, 'the good row has a finding').toMatchObject({
    bucpId: GOOD_ID,
    stage: 'Drafting',
    stageSince: GOOD_STAGE_SINCE,
    slaDays: 15,
  });
  check(PROPOSAL_STATUSES as readonly (string | null | undefined)[], 'the good row has a status').toContain(
    finding?.status,
  );
  check(
    report.rowIssues.filter((i) => i.tab === 'Proposals' && i.id === GOOD_ID),
    'the good row has no issues',
  ).toEqual([]);

  const proposals = tab(wb, 'Proposals');
  const rows = rowsWithId(proposals, 'BUCP ID', GOOD_ID);
  check(rows, 'the good row is on the sheet once').toHaveLength(1);
  const row = rows[0]!;
  check(text(cellAt(proposals, row, 'Stage Since')), 'the good row has its Stage Since').toBe(GOOD_STAGE_SINCE);
  check(cellAt(proposals, row, 'Stage Since'), 'Stage Since is a real date cell').toBeInstanceOf(Date);
  check(cellAt(proposals, row, 'Status'), 'the good row shows its status').toBe(finding?.status);
  check(cellAt(proposals, row, 'SLA Days'), 'the good row shows its SLA').toBe(15);
  check(cellAt(proposals, row, 'Row Issues'), 'the good row shows no issues').toBeNull();
  check(text(cellAt(proposals, row, 'Last Synced At')), 'the good row was stamped').toMatch(
    new RegExp(`^${TODAY}T08:00:00`),
  );
}

const plainCheck: Check = (actual, message) => expect(actual, message);
const softCheck: Check = (actual, message) => expect.soft(actual, message);

test('the corpus covers at least 28 distinct kinds of bad input', () => {
  expect(BAD_ROWS.length).toBeGreaterThanOrEqual(28);
  expect(new Set(BAD_ROWS.map((c) => c.name)).size).toBe(BAD_ROWS.length);
  expect(BAD_ROWS.filter((c) => c.tab === 'Disputes').length).toBeGreaterThan(0);
});

test.each(BAD_ROWS)('bad row: $name ($tab)', async (c) => {
  const ws = await makeWorkspace(c.config ?? {});
  // Proposal cases: the bad rows first (from row 2), then the good row after them.
  // Dispute cases: the good proposal alone on Proposals, the bad disputes from row 2 of Disputes.
  await ws.addProposals(c.tab === 'Proposals' ? [...c.rows, goodProposal()] : [goodProposal()]);
  if (c.tab === 'Disputes') await ws.addDisputes(c.rows);
  await ws.addRestricted(restrictedFor([c]));
  const placed: Placed = { case: c, sheetRows: c.rows.map((_, i) => i + 2) };

  const report = await ws.run(NOW);
  expect(report.today).toBe(TODAY);
  const wb = await readWorkbook(ws);

  checkCase(plainCheck, placed, report, wb, parseLogs(ws));
  checkGoodRow(plainCheck, report, wb);
});

test('all the bad proposal rows in one workbook: every issue is reported and the good row still syncs', async () => {
  const cases = BAD_ROWS.filter((c) => c.tab === 'Proposals' && !c.config);
  const half = Math.ceil(cases.length / 2);
  // The good row sits in the middle, with bad rows both before and after it.
  const rows: Row[] = [];
  const placed: Placed[] = [];
  const place = (c: BadRowCase) => {
    placed.push({ case: c, sheetRows: c.rows.map((_, i) => rows.length + i + 2) });
    rows.push(...c.rows);
  };
  cases.slice(0, half).forEach(place);
  rows.push(goodProposal());
  cases.slice(half).forEach(place);

  const ws = await makeWorkspace();
  await ws.addProposals(rows);
  await ws.addRestricted(restrictedFor(cases));
  const report = await ws.run(NOW);
  const wb = await readWorkbook(ws);
  const logs = parseLogs(ws);

  for (const p of placed) checkCase(softCheck, p, report, wb, logs);
  checkGoodRow(softCheck, report, wb);
  // Every row typed in is still on the sheet: nothing was dropped or moved.
  expect(tab(wb, 'Proposals').sheet.actualRowCount).toBe(rows.length + 1);
});

test('an invalid coordinator email is reported once, as invalid, never also as blank', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([
    goodProposal(),
    { ...goodProposal(), 'BUCP ID': 'BUCP-BADMAIL', 'Requesting Coordinator Email': 'not-an-email' },
  ]);
  await ws.addRestricted([{ 'BUCP ID': GOOD_ID }, { 'BUCP ID': 'BUCP-BADMAIL' }]);
  const report = await ws.run(NOW);
  const issues = report.rowIssues.filter((i) => i.id === 'BUCP-BADMAIL');
  expect(issues.map((i) => [i.column, i.severity])).toEqual([['Requesting Coordinator Email', 'error']]);
  expect(issues[0]!.message).toContain('is not a valid email address');
});
