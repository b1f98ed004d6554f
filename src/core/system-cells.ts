import type { BusinessCalendar } from './calendar.ts';
import { type CellValue, type SystemValue, blank, cellText, date, num, text } from './cells.ts';
import { DISPUTE_COLUMNS, PROPOSAL_COLUMNS, type ProposalStatus, type Stage, TABS, type Column } from './contract.ts';
import type { Config } from './config.ts';
import { type IsoDate, addDays, parseDateCell } from './dates.ts';
import { type DisputeFinding, type ProposalFinding, disputeStatus, recipientsFor } from './evaluate.ts';
import type { History } from './history.ts';
import type { Dispute, Proposal, RowIssue } from './schema.ts';
import { dayStatusBegins } from './status.ts';

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

/**
 * What one proposal's system cells are worked out from, taken from its parsed row and its finding
 * before the sends. A big cycle lets the parsed rows go while it sends and keeps only this of each.
 */
export interface ProposalCellBasis {
  readonly bucpId: string;
  /** Null for a row with no finding (no stage, or a duplicated ID): its system cells are cleared. */
  readonly standing: ProposalStanding | null;
  /** The system cells as they were read, so that only changed values are written. */
  readonly shown: Readonly<Record<string, CellValue>>;
  readonly requestingCoordinatorEmail: string | null;
  readonly providingCoordinatorEmail: string | null;
  readonly nextActionOwnerEmail: string | null;
  readonly nextActionDue: IsoDate | null;
}

/** One basis per proposal ID (the first row with it), in sheet order. */
export function proposalCellBases(
  proposals: readonly Proposal[],
  findings: readonly ProposalFinding[],
): ProposalCellBasis[] {
  const byId = new Map(findings.map((f) => [f.proposal.bucpId, f]));
  const bases: ProposalCellBasis[] = [];
  const seen = new Set<string>();
  for (const proposal of proposals) {
    // A later row with the same ID: the first one's cells stand for the ID.
    if (seen.has(proposal.bucpId)) continue;
    seen.add(proposal.bucpId);
    const finding = byId.get(proposal.bucpId);
    bases.push({
      bucpId: proposal.bucpId,
      standing: finding
        ? {
            bucpId: proposal.bucpId,
            stage: finding.stage,
            status: finding.status,
            businessDaysInStage: finding.businessDaysInStage,
            slaDays: finding.slaDays,
            stageSince: finding.since,
          }
        : null,
      shown: proposal.systemCells,
      requestingCoordinatorEmail: proposal.requestingCoordinatorEmail,
      providingCoordinatorEmail: proposal.providingCoordinatorEmail,
      nextActionOwnerEmail: proposal.nextActionOwnerEmail,
      nextActionDue: proposal.nextActionDue,
    });
  }
  return bases;
}

export interface SystemCellInput {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  /** Where each proposal stands, and what its system cells are worked out from. */
  readonly proposals: readonly ProposalCellBasis[];
  readonly disputes: readonly Dispute[];
  readonly disputeFindings: readonly DisputeFinding[];
  readonly issues: readonly RowIssue[];
  /** The memory after this cycle's sends, so statuses reflect what actually went out. */
  readonly history: History;
  readonly config: Pick<Config, 'reminders'>;
  /** The sync timestamp written to `Last Synced At` on rows whose system values change. */
  readonly syncedAt: string;
}

/** The system cells that differ from what the sheet shows. Unchanged rows produce nothing. */
export function planSystemCells(input: SystemCellInput): CellWrite[] {
  const writes: CellWrite[] = [];
  const issuesByRow = groupIssues(input.issues);
  for (const basis of input.proposals) {
    const standing = basis.standing;
    const desired: Record<string, SystemValue> = {
      'Stage Since': date(standing?.stageSince),
      'Business Days in Stage': standing ? num(standing.businessDaysInStage) : blank,
      'SLA Days': standing?.slaDays != null ? num(standing.slaDays) : blank,
      Status: text(standing?.status ?? ''),
      'Next Reminder On': date(standing ? nextReminderOn(basis, standing, input) : null),
      'Row Issues': text(issuesText(issuesByRow.get(`${TABS.proposals}|${basis.bucpId}`))),
    };
    const changed = diff(desired, basis.shown, PROPOSAL_COLUMNS);
    if (Object.keys(changed).length > 0) {
      writes.push({
        tab: TABS.proposals,
        id: basis.bucpId,
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
    const changed = diff(desired, dispute.systemCells, DISPUTE_COLUMNS);
    if (Object.keys(changed).length > 0) writes.push({ tab: TABS.disputes, id: dispute.disputeId, values: changed });
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

function diff(
  desired: Record<string, SystemValue>,
  current: Readonly<Record<string, CellValue>>,
  columns: readonly Column[],
): Record<string, SystemValue> {
  const changed: Record<string, SystemValue> = {};
  for (const [header, value] of Object.entries(desired)) {
    const column = columns.find((c) => c.header === header);
    if (!column) continue;
    if (!sameValue(value, normalize(current[header], column))) changed[header] = value;
  }
  return changed;
}

/** The next day a reminder about this proposal is due to go out, assuming today's sends went out. */
function nextReminderOn(basis: ProposalCellBasis, standing: ProposalStanding, input: SystemCellInput): IsoDate | null {
  const { calendar, config, today } = input;
  const { status, slaDays, stage, stageSince: since } = standing;
  if (status === null) return null;
  const memory = input.history.proposals.get(basis.bucpId)?.reminders;
  const candidates: IsoDate[] = [];
  const soon = calendar.onOrNextBusinessDay(today);
  const recipients = recipientsFor(basis, stage);
  if (slaDays !== null && recipients.length > 0) {
    const window = config.reminders.dueSoonWindow;
    if (status === 'On Track') candidates.push(dayStatusBegins(calendar, since, slaDays, 'Due Soon', window));
    if (status === 'Due Soon') {
      const allSent = recipients.every((r) => memory?.dueSoonSentTo(r));
      candidates.push(allSent ? dayStatusBegins(calendar, since, slaDays, 'Stalled', window) : soon);
    }
    if (status === 'Stalled' || status === 'Escalated') {
      for (const r of recipients) {
        const last = memory?.stalledLastSent(r);
        candidates.push(last ? calendar.addBusinessDays(last, config.reminders.stalledRepeatBusinessDays) : soon);
      }
    }
  }
  const due = basis.nextActionDue;
  const owner = basis.nextActionOwnerEmail;
  if (due && owner && stage !== 'Closed' && stage !== 'Withdrawn') {
    // A next action becomes overdue the day after it is due.
    if (due >= today) candidates.push(calendar.onOrNextBusinessDay(addDays(due, 1)));
    else {
      const last = memory?.nextActionLastSent(due, owner);
      candidates.push(last ? calendar.addBusinessDays(last, config.reminders.nextActionRepeatBusinessDays) : soon);
    }
  }
  return candidates.length > 0 ? candidates.sort()[0]! : null;
}
