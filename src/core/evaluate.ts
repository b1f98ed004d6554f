import type { ActivityEvent } from './activity.ts';
import type { BusinessCalendar } from './calendar.ts';
import {
  DISPUTE_LEVELS,
  type DisputeLevel,
  type DisputeStatus,
  type ProposalStatus,
  type Stage,
  type TermStatus,
  STAGES_NEEDING_RESTRICTED_RECORD,
  TABS,
} from './contract.ts';
import { type Config, REMINDED_BY_STAGE, effectiveSlas } from './config.ts';
import type { IsoDate } from './dates.ts';
import type { History } from './history.ts';
import { LEVEL_KINDS, STAGE_KINDS, type VisitTransition, trackVisit } from './lifecycle.ts';
import { type Dispute, type Proposal, type RowIssue } from './schema.ts';
import { statusFor } from './status.ts';
import { termStatus } from './term.ts';

export interface ProposalFinding {
  readonly proposal: Proposal;
  readonly stage: Stage;
  readonly since: IsoDate;
  readonly visitId: string;
  readonly businessDaysInStage: number;
  readonly slaDays: number | null;
  /** Null for an invalid row: it is tracked, but nobody is reminded until it is fixed. */
  readonly status: ProposalStatus | null;
  /** Where the agreement stands against its End Date; null with no End Date (`termStatus`). */
  readonly termStatus: TermStatus | null;
}

export interface DisputeFinding {
  readonly dispute: Dispute;
  readonly since: IsoDate;
  readonly businessDaysAtLevel: number;
  readonly resolved: boolean;
  /** Unresolved and past the per-level limit. */
  readonly overdue: boolean;
  readonly nextLevel: DisputeLevel | null;
}

export interface Evaluation {
  readonly today: IsoDate;
  readonly proposals: readonly ProposalFinding[];
  readonly disputes: readonly DisputeFinding[];
  /** New Activity Log lines: stage and level transitions the service just noticed. */
  readonly transitions: readonly Omit<ActivityEvent, 'at'>[];
  readonly issues: readonly RowIssue[];
}

/** What an evaluation says of every row, without its transitions: a cycle keeps those as stamped events. */
export type Findings = Omit<Evaluation, 'transitions'>;

export interface EvaluationInput {
  readonly proposals: readonly Proposal[];
  readonly disputes: readonly Dispute[];
  readonly restrictedIds: ReadonlySet<string>;
  readonly history: History;
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'slas' | 'reminders' | 'disputes' | 'contacts' | 'term'>;
}

/** Where every proposal and dispute stands today. Pure: the caller supplies the day and the memory. */
export function evaluate(input: EvaluationInput): Evaluation {
  const { today, calendar, history } = input;
  const slas = effectiveSlas(input.config);
  const transitions: Omit<ActivityEvent, 'at'>[] = [];
  const issues: RowIssue[] = [];
  const proposals: ProposalFinding[] = [];
  const idCounts = countBy(input.proposals.map((p) => p.bucpId));

  for (const proposal of input.proposals) {
    const stage = proposal.stage;
    // A duplicated ID cannot be tracked: its two rows would share one memory.
    if (stage === null || (idCounts.get(proposal.bucpId) ?? 0) > 1) continue;
    const tracked = trackVisit(
      history.proposals.get(proposal.bucpId)?.stage,
      { value: stage, enteredOn: proposal.stageEnteredOn },
      today,
      STAGE_KINDS,
      'Stage',
    );
    if (tracked.transition) transitions.push(transitionEvent(tracked.transition, proposal.bucpId, '', today));
    const slaDays = slas[stage];
    const businessDaysInStage = calendar.businessDaysBetween(tracked.since, today);
    proposals.push({
      proposal,
      stage,
      since: tracked.since,
      visitId: tracked.visitId,
      businessDaysInStage,
      slaDays,
      status: proposal.valid ? statusFor(businessDaysInStage, slaDays, input.config.reminders.dueSoonWindow) : null,
      termStatus: termStatus(proposal, today, input.config.term),
    });
    issues.push(...proposalWarnings(proposal, stage, input.restrictedIds));
  }

  const disputes: DisputeFinding[] = [];
  const disputeIdCounts = countBy(input.disputes.map((d) => d.disputeId));
  for (const dispute of input.disputes) {
    if ((disputeIdCounts.get(dispute.disputeId) ?? 0) > 1) continue;
    const first = dispute.level === DISPUTE_LEVELS[0];
    const tracked = trackVisit(
      history.disputes.get(dispute.disputeId)?.level,
      { value: dispute.level, enteredOn: dispute.levelEnteredOn, firstSeenFallback: first ? dispute.raisedOn : null },
      today,
      LEVEL_KINDS,
      'Level',
    );
    if (tracked.transition) {
      transitions.push(transitionEvent(tracked.transition, dispute.bucpId ?? '', dispute.disputeId, today));
    }
    const businessDaysAtLevel = calendar.businessDaysBetween(tracked.since, today);
    const resolved = dispute.resolvedOn !== null || (dispute.decision !== null && dispute.decision !== 'Pending');
    const levelIndex = DISPUTE_LEVELS.indexOf(dispute.level);
    const nextLevel = DISPUTE_LEVELS[levelIndex + 1] ?? null;
    const overdue = !resolved && businessDaysAtLevel > input.config.disputes.businessDaysPerLevel;
    disputes.push({ dispute, since: tracked.since, businessDaysAtLevel, resolved, overdue, nextLevel });
    if (dispute.valid && overdue && nextLevel && !input.config.contacts.disputeLevels[nextLevel]) {
      issues.push({
        tab: TABS.disputes,
        row: dispute.rowNumber,
        id: dispute.disputeId,
        column: 'Level',
        severity: 'warning',
        message: `Level: the dispute is due to go to ${nextLevel}, but config has no contacts.disputeLevels."${nextLevel}"`,
      });
    }
  }
  return { today, proposals, disputes, transitions, issues };
}

/** An Activity Log line for a stage or level transition, keyed by what moved and the day it was seen. */
function transitionEvent(
  t: VisitTransition,
  bucpId: string,
  disputeId: string,
  today: IsoDate,
): Omit<ActivityEvent, 'at'> {
  return { ...t, bucpId, disputeId, key: `${t.kind}:${disputeId || bucpId}:${t.from}>${t.to}:${t.on}:${today}` };
}

function proposalWarnings(proposal: Proposal, stage: Stage, restrictedIds: ReadonlySet<string>): RowIssue[] {
  const issues: RowIssue[] = [];
  const warn = (column: string, message: string) =>
    issues.push({
      tab: TABS.proposals,
      row: proposal.rowNumber,
      id: proposal.bucpId,
      column,
      message,
      severity: 'warning',
    });
  if (STAGES_NEEDING_RESTRICTED_RECORD.includes(stage) && !restrictedIds.has(proposal.bucpId)) {
    warn(
      'Stage',
      `Stage: ${stage} is past Internal Review, but the restricted workbook has no record for ${proposal.bucpId}`,
    );
  }
  const reminded = REMINDED_BY_STAGE[stage];
  const coordinators = [
    { side: 'requesting', column: 'Requesting Coordinator Email', email: proposal.requestingCoordinatorEmail },
    { side: 'providing', column: 'Providing Coordinator Email', email: proposal.providingCoordinatorEmail },
  ] as const;
  for (const { side, column, email } of coordinators) {
    const remindedHere = reminded === side || reminded === 'both';
    // A cell that failed to parse already has its error; it is not also called blank.
    if (remindedHere && email === null && !proposal.errorColumns.includes(column)) {
      warn(column, `${column}: is blank, so nobody is reminded while in ${stage}`);
    }
  }
  return issues;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** A dispute's status once the sends of this cycle are known. */
export function disputeStatus(finding: DisputeFinding, history: History): DisputeStatus {
  if (finding.resolved) return 'Resolved';
  if (history.disputes.get(finding.dispute.disputeId)?.escalations.has(finding.dispute.level)) return 'Escalated';
  if (finding.overdue) return finding.nextLevel ? 'Overdue' : 'At Top Level';
  return 'Open';
}

/** Both departments' data coordinators, where the row names them, each once. */
export function coordinatorsOf(proposal: Proposal): string[] {
  return [
    ...new Set([proposal.requestingCoordinatorEmail, proposal.providingCoordinatorEmail].filter((e) => !!e)),
  ] as string[];
}

export function recipientsFor(
  proposal: Pick<Proposal, 'requestingCoordinatorEmail' | 'providingCoordinatorEmail'>,
  stage: Stage,
): string[] {
  const reminded = REMINDED_BY_STAGE[stage];
  const to: string[] = [];
  if (reminded === 'requesting' || reminded === 'both') to.push(proposal.requestingCoordinatorEmail ?? '');
  if (reminded === 'providing' || reminded === 'both') to.push(proposal.providingCoordinatorEmail ?? '');
  return [...new Set(to.filter((e) => e !== ''))];
}
