import type { BusinessCalendar } from './calendar.ts';
import { type CellValue, type SystemValue, blank, cellText, date, num, text } from './cells.ts';
import {
  DISPUTE_COLUMNS,
  PROPOSAL_COLUMNS,
  type ProposalStatus,
  type Stage,
  TABS,
  TASK_COLUMNS,
  type Column,
} from './contract.ts';
import type { Config } from './config.ts';
import { type IsoDate, parseDateCell } from './dates.ts';
import { type DisputeFinding, type ProposalFinding, disputeStatus } from './evaluate.ts';
import type { History } from './history.ts';
import { nextReminderOn, proposalSchedule } from './reminder-schedule.ts';
import type { Dispute, Proposal, RowIssue, Task } from './schema.ts';
import type { TaskFinding } from './tasks.ts';

/** The system cells of one row to change, addressed by the row's ID, never its position. */
export interface CellWrite {
  readonly tab: string;
  readonly id: string;
  readonly values: Readonly<Record<string, SystemValue>>;
}

/** Where a proposal stands today, as a cycle's report lists it. */
export interface ProposalStanding {
  readonly bucpId: string;
  readonly stage: Stage;
  readonly status: ProposalStatus | null;
  readonly businessDaysInStage: number;
  readonly slaDays: number | null;
  readonly stageSince: IsoDate;
}

export function proposalStanding(finding: ProposalFinding): ProposalStanding {
  return {
    bucpId: finding.proposal.bucpId,
    stage: finding.stage,
    status: finding.status,
    businessDaysInStage: finding.businessDaysInStage,
    slaDays: finding.slaDays,
    stageSince: finding.since,
  };
}

export interface SystemCellInput {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly proposals: readonly Proposal[];
  /** Where each proposal stands; a row with no finding (no stage, a duplicated ID) has its cells cleared. */
  readonly proposalFindings: readonly ProposalFinding[];
  readonly disputes: readonly Dispute[];
  readonly disputeFindings: readonly DisputeFinding[];
  readonly tasks?: readonly Task[];
  readonly taskFindings?: readonly TaskFinding[];
  readonly issues: readonly RowIssue[];
  /** The memory after this cycle's sends, so statuses reflect what actually went out. */
  readonly history: History;
  readonly config: Pick<Config, 'reminders' | 'term' | 'notices'>;
  /** The sync timestamp written to `Last Synced At` on rows whose system values change. */
  readonly syncedAt: string;
}

/** The system cells that differ from what the sheet shows. Unchanged rows produce nothing. */
export function planSystemCells(input: SystemCellInput): CellWrite[] {
  const writes: CellWrite[] = [];
  const issuesByRow = groupIssues(input.issues);
  const scheduleContext = {
    today: input.today,
    calendar: input.calendar,
    config: input.config,
    filingNoticeOn: input.history.noticesOn.has('filing'),
  };
  const proposalColumns = byHeader(PROPOSAL_COLUMNS);
  const disputeColumns = byHeader(DISPUTE_COLUMNS);
  const findings = new Map(input.proposalFindings.map((f) => [f.proposal.bucpId, f]));
  const seenProposals = new Set<string>();
  for (const proposal of input.proposals) {
    // A later row with the same ID: the first one's cells stand for the ID.
    if (seenProposals.has(proposal.bucpId)) continue;
    seenProposals.add(proposal.bucpId);
    const finding = findings.get(proposal.bucpId);
    const memory = input.history.proposals.get(proposal.bucpId);
    const schedule = finding ? proposalSchedule(finding, memory, scheduleContext) : [];
    const desired: Record<string, SystemValue> = {
      'Stage Since': date(finding?.since),
      'Business Days in Stage': finding ? num(finding.businessDaysInStage) : blank,
      'SLA Days': finding?.slaDays != null ? num(finding.slaDays) : blank,
      Status: text(finding?.status ?? ''),
      'Term Status': text(finding?.termStatus ?? ''),
      // The memory is the one after this cycle's sends: what went out today is not due again today.
      'Next Reminder On': date(nextReminderOn(schedule)),
      'Row Issues': text(issuesText(issuesByRow.get(`${TABS.proposals}|${proposal.bucpId}`))),
    };
    const changed = diff(desired, proposal.systemCells, proposalColumns);
    if (Object.keys(changed).length > 0) {
      writes.push({
        tab: TABS.proposals,
        id: proposal.bucpId,
        values: { ...changed, 'Last Synced At': text(input.syncedAt) },
      });
    }
  }
  const disputeFindings = new Map(input.disputeFindings.map((f) => [f.dispute.disputeId, f]));
  const seenDisputes = new Set<string>();
  for (const dispute of input.disputes) {
    if (seenDisputes.has(dispute.disputeId)) continue;
    seenDisputes.add(dispute.disputeId);
    const finding = disputeFindings.get(dispute.disputeId);
    const escalations = input.history.disputes.get(dispute.disputeId)?.escalations;
    const latest = escalations ? [...escalations.values()].sort((a, b) => a.on.localeCompare(b.on)).at(-1) : undefined;
    const desired: Record<string, SystemValue> = {
      'Business Days at Level': finding ? num(finding.businessDaysAtLevel) : blank,
      Status: text(finding ? disputeStatus(finding, input.history) : ''),
      'Escalated To': text(latest?.to ?? ''),
      'Escalated On': date(latest?.on),
      'Row Issues': text(issuesText(issuesByRow.get(`${TABS.disputes}|${dispute.disputeId}`))),
    };
    const changed = diff(desired, dispute.systemCells, disputeColumns);
    if (Object.keys(changed).length > 0) writes.push({ tab: TABS.disputes, id: dispute.disputeId, values: changed });
  }
  const taskColumns = byHeader(TASK_COLUMNS);
  const taskFindings = new Map((input.taskFindings ?? []).map((f) => [f.task.taskId, f]));
  const seenTasks = new Set<string>();
  for (const task of input.tasks ?? []) {
    if (seenTasks.has(task.taskId)) continue;
    seenTasks.add(task.taskId);
    const desired: Record<string, SystemValue> = {
      Status: text(taskFindings.get(task.taskId)?.status ?? ''),
      'Row Issues': text(issuesText(issuesByRow.get(`${TABS.tasks}|${task.taskId}`))),
    };
    const changed = diff(desired, task.systemCells, taskColumns);
    if (Object.keys(changed).length > 0) writes.push({ tab: TABS.tasks, id: task.taskId, values: changed });
  }
  return writes;
}

function groupIssues(issues: readonly RowIssue[]): Map<string, RowIssue[]> {
  const byRow = new Map<string, RowIssue[]>();
  for (const issue of issues) {
    if (!issue.id) continue;
    const key = `${issue.tab}|${issue.id}`;
    const list = byRow.get(key) ?? [];
    if (!list.some((i) => i.message === issue.message)) list.push(issue);
    byRow.set(key, list);
  }
  return byRow;
}

export function issuesText(issues: readonly RowIssue[] | undefined): string {
  if (!issues || issues.length === 0) return '';
  const errors = issues.filter((i) => i.severity === 'error').map((i) => i.message);
  const warnings = issues.filter((i) => i.severity === 'warning').map((i) => `Warning: ${i.message}`);
  return [...errors, ...warnings].join('\n');
}

/** Reads a cell the way the service would have written it, so that equal values are not rewritten. */
function normalize(value: CellValue | undefined, column: Column): SystemValue {
  if (value === null || value === undefined || cellText(value) === '') return blank;
  if (column.type === 'date') {
    const parsed = parseDateCell(value);
    return parsed?.ok ? { kind: 'date', value: parsed.date } : text(cellText(value));
  }
  if (column.type === 'number' && typeof value === 'number') return num(value);
  return text(cellText(value));
}

function sameValue(a: SystemValue, b: SystemValue): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'blank' || a.value === (b as typeof a).value;
}

function byHeader(columns: readonly Column[]): ReadonlyMap<string, Column> {
  return new Map(columns.map((c) => [c.header, c]));
}

function diff(
  desired: Record<string, SystemValue>,
  current: Readonly<Record<string, CellValue>>,
  columns: ReadonlyMap<string, Column>,
): Record<string, SystemValue> {
  const changed: Record<string, SystemValue> = {};
  for (const [header, value] of Object.entries(desired)) {
    const column = columns.get(header);
    if (!column) continue;
    if (!sameValue(value, normalize(current[header], column))) changed[header] = value;
  }
  return changed;
}
