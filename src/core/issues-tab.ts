import { ISSUE_COLUMNS } from './contract.ts';
import type { RowIssue } from './schema.ts';

export const ISSUE_HEADERS = ISSUE_COLUMNS.map((c) => c.header);

/** One line of the Issues tab, in the order of ISSUE_HEADERS. */
export function issueRow(issue: RowIssue): (string | number | null)[] {
  return [issue.tab, issue.row || null, issue.id ?? '', issue.column ?? '', issue.severity, issue.message];
}
