import { type ActivityEvent, stampAt } from './activity.ts';
import { BusinessCalendar } from './calendar.ts';
import { capacityIssues } from './capacity.ts';
import type { Config } from './config.ts';
import { type IsoDate, localDate, localTimestamp } from './dates.ts';
import { type Findings, evaluate } from './evaluate.ts';
import { type History, foldEvents, historyFromLog } from './history.ts';
import { type Metrics, type SummaryTable, computeMetrics, summaryTables } from './metrics.ts';
import { noticeBaselineEvents } from './liaison-notices.ts';
import { planManagerDigest } from './manager-digest.ts';
import { type PlannedNotification, type RowLinker, planNotifications } from './notifications.ts';
import { type PlannedChatPost, planChatPosts } from './chat.ts';
import type { StoreCapacity, TrackerSnapshot } from './ports.ts';
import {
  type Dispute,
  type ParseContext,
  type ParsedTab,
  type Proposal,
  type RowIssue,
  type Task,
  parseDisputes,
  parseProposals,
  parseTasks,
} from './schema.ts';
import { type CellWrite, planSystemCells } from './system-cells.ts';
import { libraryTable } from './library.ts';
import { type TaskFinding, evaluateTasks } from './tasks.ts';

export interface CycleContext {
  readonly config: Config;
  readonly now: Date;
  readonly link: RowLinker;
}

/** What a cycle decided before anything is sent: the first half of the pure core's answer. */
export interface CyclePlan {
  readonly today: IsoDate;
  readonly timestamp: string;
  readonly calendar: BusinessCalendar;
  readonly proposals: ParsedTab<Proposal>;
  readonly disputes: ParsedTab<Dispute>;
  readonly tasks: ParsedTab<Task>;
  readonly taskFindings: readonly TaskFinding[];
  readonly evaluation: Findings;
  readonly issues: readonly RowIssue[];
  /** The memory as read, with this cycle's transitions and row issues folded in. */
  readonly history: History;
  readonly notifications: readonly PlannedNotification[];
  /** Posts to team chat channels: the second kind of notification, with the same exactly-once record. */
  readonly chatPosts: readonly PlannedChatPost[];
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
  readonly tasks: ParsedTab<Task>;
  readonly history: History;
  /** How full the store is, where it has a hard limit. */
  readonly capacity: StoreCapacity | undefined;
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
  const tasks = parseTasks(snapshot.tasks, parseContext, knownIds);
  const history = historyFromLog(snapshot.activity.rows);
  return {
    proposals,
    disputes,
    tasks,
    history,
    capacity: snapshot.capacity,
    storeIssues: [...capacityIssues(snapshot.capacity), ...missingTabIssues(snapshot.missingOptionalTabs ?? [])],
  };
}

/** An optional tab the tracker lacks: a warning on the Issues tab until `bucp init` adds it. */
function missingTabIssues(tabs: readonly string[]): RowIssue[] {
  return tabs.map((tab) => ({
    tab,
    row: 0,
    id: null,
    column: null,
    severity: 'warning',
    message: `The tracker has no "${tab}" tab yet: run \`bucp init\` to add it (nothing else changes)`,
  }));
}

/** Decides from the parsed tabs: what changed, what is wrong, what to send, and the metrics. */
export function planCycle(parsed: ParsedTracker, restrictedIds: ReadonlySet<string>, context: CycleContext): CyclePlan {
  const { config, now } = context;
  const today = localDate(now, config.timezone);
  const timestamp = localTimestamp(now, config.timezone);
  const calendar = calendarFor(config);
  const { proposals, disputes, tasks } = parsed;
  const { transitions, ...evaluation } = evaluate({
    proposals: proposals.records,
    disputes: disputes.records,
    restrictedIds,
    history: parsed.history,
    today,
    calendar,
    config,
  });
  const issues = sortIssues([
    ...parsed.storeIssues,
    ...proposals.issues,
    ...disputes.issues,
    ...tasks.issues,
    ...evaluation.issues,
  ]);
  const stamp = stampAt(timestamp);
  const baselines = noticeBaselineEvents(evaluation.proposals, parsed.history, { today, calendar, config });
  const events: ActivityEvent[] = [...transitions, ...baselines].map(stamp);
  for (const issue of issues) {
    const key = rowIssueKey(issue);
    if (parsed.history.rowIssueKeys.has(key)) continue;
    events.push(
      stamp({
        on: today,
        bucpId: issue.tab === 'Disputes' || issue.tab === 'Tasks' ? '' : (issue.id ?? ''),
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
  const history = foldEvents(parsed.history, events);
  const taskFindings = evaluateTasks({
    tasks: tasks.records,
    proposals: proposals.records,
    history,
    today,
    calendar,
    rules: config.tasks,
  });
  const notifications = planNotifications({
    evaluation,
    tasks: taskFindings,
    history,
    calendar,
    config,
    link: context.link,
  });
  // Metrics depend on what was seen, not on what gets sent, so they are computed once, here.
  const metrics = computeMetrics({
    evaluation,
    proposals: proposals.records,
    history,
    calendar,
    unaddressableRows: proposals.unaddressableRows,
    tasks: taskFindings,
  });
  const digest = planManagerDigest({ evaluation, metrics, history, calendar, config, link: context.link });
  notifications.push(...digest);
  const chatPosts = planChatPosts({ evaluation, metrics, history, calendar, config, link: context.link });
  return {
    today,
    timestamp,
    calendar,
    proposals,
    disputes,
    tasks,
    taskFindings,
    evaluation,
    issues,
    history,
    notifications,
    chatPosts,
    events,
    metrics,
  };
}

export interface CycleOutcome {
  readonly cells: readonly CellWrite[];
  /** The summary tabs, written when the metrics part runs. */
  readonly summaries: readonly SummaryTable[];
  /** The reference tabs (the Library), rebuilt on every cycle. */
  readonly references: readonly SummaryTable[];
}

/**
 * The system cells and summary tabs of a plan, from the memory after the cycle's sends (`history`):
 * what went out today shows in Next Reminder On and a dispute's Escalated To.
 */
export function finishCycle(plan: CyclePlan, history: History, config: Config): CycleOutcome {
  const cells = planSystemCells({
    today: plan.today,
    calendar: plan.calendar,
    proposals: plan.proposals.records,
    proposalFindings: plan.evaluation.proposals,
    disputes: plan.disputes.records,
    disputeFindings: plan.evaluation.disputes,
    tasks: plan.tasks.records,
    taskFindings: plan.taskFindings,
    issues: plan.issues,
    history,
    config,
    syncedAt: plan.timestamp,
  });
  const library = libraryTable({
    today: plan.today,
    proposals: plan.proposals.records,
    disputes: plan.evaluation.disputes,
    history,
    calendar: plan.calendar,
  });
  return { cells, summaries: summaryTables(plan.metrics), references: [library] };
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
