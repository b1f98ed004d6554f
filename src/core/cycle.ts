import { type ActivityEvent, stampAt } from './activity.ts';
import { BusinessCalendar } from './calendar.ts';
import { capacityIssues } from './capacity.ts';
import type { Config } from './config.ts';
import { type IsoDate, localDate, localTimestamp } from './dates.ts';
import { type Findings, evaluate } from './evaluate.ts';
import { type History, applyEvent, historyFromLog } from './history.ts';
import { type Metrics, type SummaryTable, computeMetrics, summaryTables } from './metrics.ts';
import { planManagerDigest } from './manager-digest.ts';
import { type PlannedNotification, type RowLinker, planNotifications } from './notifications.ts';
import type { TrackerSnapshot } from './ports.ts';
import {
  type Dispute,
  type ParseContext,
  type ParsedTab,
  type Proposal,
  type RowIssue,
  parseDisputes,
  parseProposals,
} from './schema.ts';
import { type CellWrite, type SystemCellInput, planSystemCells, proposalCellBases } from './system-cells.ts';

export interface CycleContext {
  readonly config: Config;
  readonly now: Date;
  readonly link: RowLinker;
  /**
   * Called after each step of the plan: the job collects the step's garbage there, and
   * scripts/bench/phase-memory.ts measures it.
   */
  readonly onStep?: (step: string) => void;
}

/** What a cycle decided before anything is sent: the first half of the pure core's answer. */
export interface CyclePlan {
  readonly today: IsoDate;
  readonly timestamp: string;
  readonly calendar: BusinessCalendar;
  readonly proposals: ParsedTab<Proposal>;
  readonly disputes: ParsedTab<Dispute>;
  readonly evaluation: Findings;
  readonly issues: readonly RowIssue[];
  readonly history: History;
  readonly notifications: readonly PlannedNotification[];
  /** Transitions and newly seen row issues, to append to the Activity Log. */
  readonly events: readonly ActivityEvent[];
  readonly metrics: Metrics;
}

export function calendarFor(config: Pick<Config, 'holidays'>): BusinessCalendar {
  return new BusinessCalendar({ add: config.holidays.add, remove: config.holidays.remove });
}

/** The tracker's tabs, parsed: what planning needs of a snapshot, which can be freed once this exists. */
export interface ParsedTracker {
  readonly proposals: ParsedTab<Proposal>;
  readonly disputes: ParsedTab<Dispute>;
  readonly history: History;
  /** Issues with the store as a whole: how close it is to its limit. */
  readonly storeIssues: readonly RowIssue[];
}

function parseContextOf(context: Pick<CycleContext, 'config' | 'now'>): ParseContext {
  return { today: localDate(context.now, context.config.timezone), departments: context.config.departments };
}

/** Parses the tabs of a snapshot and folds the Activity Log into the memory. */
export function parseTracker(snapshot: TrackerSnapshot, context: Pick<CycleContext, 'config' | 'now'>): ParsedTracker {
  const parseContext = parseContextOf(context);
  const proposals = parseProposals(snapshot.proposals, parseContext);
  const knownIds = new Set(proposals.records.map((p) => p.bucpId));
  const disputes = parseDisputes(snapshot.disputes, parseContext, knownIds);
  const history = historyFromLog(snapshot.activity.rows);
  return { proposals, disputes, history, storeIssues: capacityIssues(snapshot.capacity) };
}

/**
 * Decides from the parsed tabs. A caller that holds the raw snapshot calls parseTracker first and lets
 * the snapshot go: the cells as read are not kept through planning.
 */
export function planParsed(
  parsed: ParsedTracker,
  restrictedIds: ReadonlySet<string>,
  context: CycleContext,
): CyclePlan {
  const { config, now } = context;
  const today = localDate(now, config.timezone);
  const timestamp = localTimestamp(now, config.timezone);
  const calendar = calendarFor(config);
  const step = context.onStep ?? (() => {});
  const { proposals, disputes, history } = parsed;
  const { transitions, ...evaluation } = evaluate({
    proposals: proposals.records,
    disputes: disputes.records,
    restrictedIds,
    history,
    today,
    calendar,
    config,
  });
  step('evaluate');
  const issues = sortIssues([...parsed.storeIssues, ...proposals.issues, ...disputes.issues, ...evaluation.issues]);
  const stamp = stampAt(timestamp);
  const events: ActivityEvent[] = transitions.map(stamp);
  for (const issue of issues) {
    const key = rowIssueKey(issue);
    if (history.rowIssueKeys.has(key)) continue;
    events.push(
      stamp({
        on: today,
        bucpId: issue.tab === 'Disputes' ? '' : (issue.id ?? ''),
        disputeId: issue.tab === 'Disputes' ? (issue.id ?? '') : '',
        kind: 'row-issue',
        from: issue.severity,
        to: issue.column ?? '',
        detail: `${issue.tab} row ${issue.row}: ${issue.message}`,
        key,
      }),
    );
  }
  // Transitions change what is remembered (a new stage resets its reminders) before planning sends.
  for (const event of events) applyEvent(history, event);
  step('transitions');
  const notifications = planNotifications({ evaluation, history, calendar, config, link: context.link });
  step(`plan ${notifications.length} messages`);
  // Metrics depend on what was seen, not on what gets sent, so they are computed once, here.
  const metrics = computeMetrics({
    evaluation,
    proposals: proposals.records,
    history,
    calendar,
    unaddressableRows: proposals.unaddressableRows,
  });
  const digest = planManagerDigest({ evaluation, metrics, history, calendar, config, link: context.link });
  if (digest) notifications.push(...digest);
  step('metrics');
  return {
    today,
    timestamp,
    calendar,
    proposals,
    disputes,
    evaluation,
    issues,
    history,
    notifications,
    events,
    metrics,
  };
}

/**
 * What the second half of a cycle needs of its plan, taken before the sends: no parsed proposal rows
 * and no planned messages, so a big cycle lets those go while it sends.
 */
export interface SettleBasis extends Omit<SystemCellInput, 'config' | 'syncedAt'> {
  /** The cycle's timestamp: its Activity Log lines and the `Last Synced At` of the rows it changes. */
  readonly timestamp: string;
  readonly metrics: Metrics;
}

export function settleBasis(plan: CyclePlan): SettleBasis {
  return {
    today: plan.today,
    timestamp: plan.timestamp,
    calendar: plan.calendar,
    proposals: proposalCellBases(plan.proposals.records, plan.evaluation.proposals),
    disputes: plan.disputes.records,
    disputeFindings: plan.evaluation.disputes,
    issues: plan.issues,
    history: plan.history,
    metrics: plan.metrics,
  };
}

export interface CycleOutcome {
  readonly cells: readonly CellWrite[];
  readonly metrics: Metrics;
  readonly summaries: readonly SummaryTable[];
}

/** The second half: system cells and summaries, from the memory as it stands after the sends. */
export function finishCycle(basis: SettleBasis, config: Config): CycleOutcome {
  const cells = planSystemCells({ ...basis, config, syncedAt: basis.timestamp });
  return { cells, metrics: basis.metrics, summaries: summaryTables(basis.metrics) };
}

function sortIssues(issues: RowIssue[]): RowIssue[] {
  return issues.sort(
    (a, b) => a.tab.localeCompare(b.tab) || a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''),
  );
}

/** A row issue is logged once: again only if it goes away and comes back with other words. */
export function rowIssueKey(issue: RowIssue): string {
  return `row-issue:${issue.tab}:${issue.id ?? `row ${issue.row}`}:${issue.message}`;
}
