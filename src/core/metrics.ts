import type { BusinessCalendar } from './calendar.ts';
import {
  DISPUTE_CATEGORIES,
  DISPUTE_LEVELS,
  OUTCOMES,
  PROPOSAL_STATUSES,
  RESTRICTION_SOLUTIONS,
  STAGES,
  type ReferenceTab,
  type SummaryTab,
} from './contract.ts';
import { type IsoDate, addDays, addMonths, quarterOf, toDayNumber } from './dates.ts';
import type { DisputeFinding, Findings } from './evaluate.ts';
import type { History } from './history.ts';
import type { Proposal } from './schema.ts';
import type { TaskFinding } from './tasks.ts';

export interface Distribution {
  readonly count: number;
  readonly median: number | null;
  readonly p90: number | null;
}

export interface Metrics {
  readonly asOf: IsoDate;
  readonly proposals: { total: number; valid: number; invalid: number };
  readonly byStage: Record<string, number>;
  readonly byStatus: Record<string, number>;
  readonly fulfillment: {
    calendarDays: Distribution;
    businessDays: Distribution;
    withinBaseline: number;
    /** Share of fulfilled proposals whose first transfer came within three months of concept. */
    withinBaselineShare: number | null;
  };
  readonly approval: { calendarDays: Distribution; businessDays: Distribution };
  readonly outcomes: Record<string, number>;
  /** (Approved + Approved with Modifications) / (Approved + Approved with Modifications + Denied). */
  readonly approvalRate: number | null;
  readonly disputes: {
    raised: number;
    open: number;
    resolved: number;
    businessDaysToResolve: Distribution;
    byCategory: Record<string, number>;
    byHighestLevel: Record<string, number>;
  };
  readonly restrictionSolutions: Record<string, number>;
  readonly dataSharingOutcomes: { recorded: number; missing: number };
  /** Agreement end: End Dates in the next 90 days with no disposition, and dispositions due and overdue. */
  readonly term: { endingWithin90Days: number; dispositionsDue: number; dispositionsOverdue: number };
  readonly timeInStage: Record<string, Distribution>;
  readonly milestoneIntervals: Record<string, Distribution>;
  readonly longestWaitStage: string | null;
  readonly topDatasets: { dataset: string; requests: number }[];
  readonly byRequestingDepartment: DepartmentRow[];
  readonly byProvidingDepartment: DepartmentRow[];
  readonly bySubmittedQuarter: QuarterRow[];
  readonly tasks: TaskMetrics;
}

/** Tasks not done, and how many of them are due soon or overdue, for one owner or one proposal. */
export interface TaskCountRow {
  readonly key: string;
  readonly open: number;
  readonly dueSoon: number;
  readonly overdue: number;
}

export interface TaskMetrics {
  readonly total: number;
  /** Not done: Open, Due Soon and Overdue. */
  readonly open: number;
  readonly dueSoon: number;
  readonly overdue: number;
  readonly done: number;
  readonly byOwner: TaskCountRow[];
  readonly byProposal: TaskCountRow[];
}

export interface DepartmentRow {
  readonly department: string;
  readonly proposals: number;
  readonly open: number;
  readonly approved: number;
  readonly denied: number;
  readonly medianFulfillmentDays: number | null;
}

export interface QuarterRow {
  readonly quarter: string;
  readonly submitted: number;
  readonly approved: number;
  readonly medianApprovalDays: number | null;
  readonly medianFulfillmentDays: number | null;
}

export interface MetricsInput {
  readonly evaluation: Findings;
  readonly proposals: readonly Proposal[];
  readonly history: History;
  readonly calendar: BusinessCalendar;
  /** Rows with data but no usable ID: they count as invalid, never as missing. */
  readonly unaddressableRows: number;
  readonly tasks?: readonly TaskFinding[];
}

/** Median, with the mean of the middle two for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value with at least p% of values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0)]!;
}

export function distribution(values: readonly number[]): Distribution {
  return { count: values.length, median: median(values), p90: percentile(values, 90) };
}

/** The agreements-ending metric looks this many calendar days ahead, whatever the renewal points are. */
const ENDING_WINDOW_DAYS = 90;
/** The highest level a dispute has reached: the levels the Activity Log saw it at, and its level now. */
export function highestLevelReached(finding: DisputeFinding, history: History): string {
  const seen = history.disputes.get(finding.dispute.disputeId)?.levelsSeen ?? new Set<string>();
  const levels = [...seen, finding.dispute.level].map((l) =>
    DISPUTE_LEVELS.indexOf(l as (typeof DISPUTE_LEVELS)[number]),
  );
  return DISPUTE_LEVELS[Math.max(...levels)] ?? finding.dispute.level;
}

function taskMetrics(findings: readonly TaskFinding[]): TaskMetrics {
  const rows = (keyOf: (f: TaskFinding) => string): TaskCountRow[] => {
    const byKey = Map.groupBy(
      findings.filter((f) => f.status !== 'Done'),
      keyOf,
    );
    return [...byKey]
      .map(([key, fs]) => ({
        key,
        open: fs.length,
        dueSoon: fs.filter((f) => f.status === 'Due Soon').length,
        overdue: fs.filter((f) => f.status === 'Overdue').length,
      }))
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.key.localeCompare(b.key));
  };
  const count = (status: TaskFinding['status']) => findings.filter((f) => f.status === status).length;
  return {
    total: findings.length,
    open: findings.length - count('Done'),
    dueSoon: count('Due Soon'),
    overdue: count('Overdue'),
    done: count('Done'),
    byOwner: rows((f) => f.task.ownerEmail ?? '(no owner)'),
    byProposal: rows((f) => f.task.bucpId ?? '(no BUCP ID)'),
  };
}

const calendarDays = (from: IsoDate, to: IsoDate) => toDayNumber(to) - toDayNumber(from);
const DECIDED: readonly (string | null)[] = ['Approved', 'Approved with Modifications', 'Denied'];
const APPROVED: readonly (string | null)[] = ['Approved', 'Approved with Modifications'];

function countInto(keys: readonly string[], values: Iterable<string | null>, blankLabel = '(blank)') {
  const counts: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const v of values) {
    const key = v ?? blankLabel;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function withinThreeMonths(start: IsoDate, end: IsoDate): boolean {
  return end <= addMonths(start, 3);
}

function fulfillmentSpan(p: Proposal): { start: IsoDate; end: IsoDate } | null {
  const start = p.conceptOn ?? p.submittedOn;
  return start && p.firstDataTransferOn && p.firstDataTransferOn >= start
    ? { start, end: p.firstDataTransferOn }
    : null;
}

/** The metrics of the CalHHS data-sharing play, and the rest managers ask for. Pure. */
export function computeMetrics(input: MetricsInput): Metrics {
  const { evaluation, calendar, history } = input;
  const today = evaluation.today;
  const all = input.proposals;
  const uniqueIds = new Set(all.map((p) => p.bucpId));
  const valid = all.filter((p) => p.valid);

  const spans = valid.map(fulfillmentSpan).filter((s) => s !== null);
  const fulfillmentCalendar = spans.map((s) => calendarDays(s.start, s.end));
  const withinBaseline = spans.filter((s) => withinThreeMonths(s.start, s.end)).length;
  const approvals = valid
    .filter((p) => p.submittedOn && p.approvedOn && p.approvedOn >= p.submittedOn)
    .map((p) => ({ from: p.submittedOn!, to: p.approvedOn! }));

  const outcomes = countInto(
    OUTCOMES,
    valid.map((p) => p.outcome),
  );
  const decided = valid.filter((p) => DECIDED.includes(p.outcome)).length;
  const approved = valid.filter((p) => APPROVED.includes(p.outcome)).length;

  const disputeFindings = evaluation.disputes.filter((d) => d.dispute.valid);
  const resolvedDurations = disputeFindings
    .filter(
      (d) => d.resolved && d.dispute.raisedOn && d.dispute.resolvedOn && d.dispute.resolvedOn >= d.dispute.raisedOn,
    )
    .map((d) => calendar.businessDaysBetween(d.dispute.raisedOn!, d.dispute.resolvedOn!));
  const highestLevel = disputeFindings.map((d) => highestLevelReached(d, history));

  const stageDurations = new Map<string, number[]>(STAGES.map((s) => [s, []]));
  for (const id of uniqueIds) {
    for (const visit of history.proposals.get(id)?.pastVisits ?? []) {
      stageDurations.get(visit.stage)?.push(calendar.businessDaysBetween(visit.since, visit.until));
    }
  }
  for (const f of evaluation.proposals) stageDurations.get(f.stage)?.push(f.businessDaysInStage);
  const timeInStage = Object.fromEntries([...stageDurations].map(([stage, values]) => [stage, distribution(values)]));
  const openStages = STAGES.filter((s) => !['Active', 'Closed', 'Withdrawn'].includes(s));
  const longestWaitStage =
    openStages
      .map((s) => ({ s, m: timeInStage[s]?.median ?? null }))
      .filter((x) => x.m !== null)
      .sort((a, b) => b.m! - a.m!)[0]?.s ?? null;

  const milestonePairs: [string, keyof Proposal, keyof Proposal][] = [
    ['Concept → Submitted', 'conceptOn', 'submittedOn'],
    ['Submitted → Approved', 'submittedOn', 'approvedOn'],
    ['Approved → Filed', 'approvedOn', 'filedOn'],
    ['Filed → First Data Transfer', 'filedOn', 'firstDataTransferOn'],
  ];
  const milestoneIntervals = Object.fromEntries(
    milestonePairs.map(([label, from, to]) => [
      label,
      distribution(
        valid
          .map((p) => [p[from] as IsoDate | null, p[to] as IsoDate | null] as const)
          .filter(([a, b]) => a && b && b >= a)
          .map(([a, b]) => calendar.businessDaysBetween(a!, b!)),
      ),
    ]),
  );

  const datasetCounts = new Map<string, { name: string; count: number }>();
  for (const p of valid) {
    for (const name of new Set(p.datasets.map((d) => d.toLowerCase()))) {
      const entry = datasetCounts.get(name) ?? { name: p.datasets.find((d) => d.toLowerCase() === name)!, count: 0 };
      entry.count += 1;
      datasetCounts.set(name, entry);
    }
  }
  const topDatasets = [...datasetCounts.values()]
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, 10)
    .map((d) => ({ dataset: d.name, requests: d.count }));

  const closedOrActive = valid.filter((p) => p.stage === 'Closed' || p.stage === 'Active');
  const validFindings = evaluation.proposals.filter((f) => f.status !== null);
  const inNinetyDays = addDays(today, ENDING_WINDOW_DAYS);
  return {
    asOf: today,
    proposals: {
      total: all.length + input.unaddressableRows,
      valid: valid.length,
      invalid: all.length + input.unaddressableRows - valid.length,
    },
    byStage: countInto(
      STAGES,
      valid.map((p) => p.stage),
    ),
    byStatus: countInto(
      PROPOSAL_STATUSES,
      evaluation.proposals.filter((f) => f.status !== null).map((f) => f.status),
    ),
    fulfillment: {
      calendarDays: distribution(fulfillmentCalendar),
      businessDays: distribution(spans.map((s) => calendar.businessDaysBetween(s.start, s.end))),
      withinBaseline,
      withinBaselineShare: spans.length > 0 ? withinBaseline / spans.length : null,
    },
    approval: {
      calendarDays: distribution(approvals.map((a) => calendarDays(a.from, a.to))),
      businessDays: distribution(approvals.map((a) => calendar.businessDaysBetween(a.from, a.to))),
    },
    outcomes,
    approvalRate: decided > 0 ? approved / decided : null,
    disputes: {
      raised: disputeFindings.length,
      open: disputeFindings.filter((d) => !d.resolved).length,
      resolved: disputeFindings.filter((d) => d.resolved).length,
      businessDaysToResolve: distribution(resolvedDurations),
      byCategory: countInto(
        DISPUTE_CATEGORIES,
        disputeFindings.map((d) => d.dispute.category),
      ),
      byHighestLevel: countInto(DISPUTE_LEVELS, highestLevel),
    },
    restrictionSolutions: countInto(
      RESTRICTION_SOLUTIONS,
      valid.map((p) => p.restrictionSolution),
    ),
    dataSharingOutcomes: {
      recorded: closedOrActive.filter((p) => p.dataSharingOutcome).length,
      missing: closedOrActive.filter((p) => !p.dataSharingOutcome).length,
    },
    term: {
      endingWithin90Days: validFindings.filter(
        (f) =>
          f.termStatus !== null &&
          f.termStatus !== 'Closed Out' &&
          f.proposal.endDate! >= today &&
          f.proposal.endDate! <= inNinetyDays,
      ).length,
      dispositionsDue: validFindings.filter((f) => f.termStatus === 'Disposition Due').length,
      dispositionsOverdue: validFindings.filter((f) => f.termStatus === 'Disposition Overdue').length,
    },
    timeInStage,
    milestoneIntervals,
    longestWaitStage,
    topDatasets,
    byRequestingDepartment: departmentRows(valid, (p) => p.requestingDepartment),
    byProvidingDepartment: departmentRows(valid, (p) => p.providingDepartment),
    bySubmittedQuarter: quarterRows(valid),
    tasks: taskMetrics(input.tasks ?? []),
  };
}

function departmentRows(valid: readonly Proposal[], key: (p: Proposal) => string | null): DepartmentRow[] {
  const groups = Map.groupBy(valid, (p) => key(p) ?? '(blank)');
  return [...groups]
    .map(([department, ps]) => ({
      department,
      proposals: ps.length,
      open: ps.filter((p) => p.stage && !['Active', 'Closed', 'Withdrawn'].includes(p.stage)).length,
      approved: ps.filter((p) => APPROVED.includes(p.outcome)).length,
      denied: ps.filter((p) => p.outcome === 'Denied').length,
      medianFulfillmentDays: median(
        ps
          .map(fulfillmentSpan)
          .filter((s) => s !== null)
          .map((s) => calendarDays(s.start, s.end)),
      ),
    }))
    .sort((a, b) => b.proposals - a.proposals || a.department.localeCompare(b.department));
}

function quarterRows(valid: readonly Proposal[]): QuarterRow[] {
  const groups = Map.groupBy(
    valid.filter((p) => p.submittedOn),
    (p) => quarterOf(p.submittedOn!),
  );
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([quarter, ps]) => ({
      quarter,
      submitted: ps.length,
      approved: ps.filter((p) => APPROVED.includes(p.outcome)).length,
      medianApprovalDays: median(
        ps
          .filter((p) => p.approvedOn && p.approvedOn >= p.submittedOn!)
          .map((p) => calendarDays(p.submittedOn!, p.approvedOn!)),
      ),
      medianFulfillmentDays: median(
        ps
          .map(fulfillmentSpan)
          .filter((s) => s !== null)
          .map((s) => calendarDays(s.start, s.end)),
      ),
    }));
}

export type SummaryCell = string | number | null;

export interface SummaryTable {
  readonly tab: SummaryTab | ReferenceTab;
  readonly rows: readonly (readonly SummaryCell[])[];
}

const pct = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

function section(title: string, header: readonly string[], rows: readonly (readonly SummaryCell[])[]): SummaryCell[][] {
  return [[title], [...header], ...rows.map((r) => [...r]), []];
}

function distRow(label: string, d: Distribution): SummaryCell[] {
  return [label, d.count, round1(d.median), round1(d.p90)];
}

function counts(record: Record<string, number>): SummaryCell[][] {
  return Object.entries(record).map(([k, v]) => [k, v]);
}

/** The summary tabs as cell grids. Headline first; every number says what it counts. */
export function summaryTables(m: Metrics): SummaryTable[] {
  const heading = (title: string): SummaryCell[][] => [[title], [`As of ${m.asOf}`], []];
  const summary: SummaryCell[][] = [
    ...heading('BUCP Tracker: summary'),
    // First, at a fixed place: the Sheets chart "Proposals by stage" reads these rows.
    ...section('By stage', ['Stage', 'Proposals'], counts(m.byStage)),
    ...section(
      'Proposals',
      ['Measure', 'Value'],
      [
        ['Total rows', m.proposals.total],
        ['Valid', m.proposals.valid],
        ['Invalid (see the Issues tab)', m.proposals.invalid],
        ['Stage where proposals wait longest (median business days)', m.longestWaitStage ?? ''],
      ],
    ),
    ...section(
      'Fulfillment duration: concept (or submission) to first data transfer',
      ['Measure', 'Count', 'Median', 'P90'],
      [distRow('Calendar days', m.fulfillment.calendarDays), distRow('Business days', m.fulfillment.businessDays)],
    ),
    ...section(
      'Three-month baseline',
      ['Measure', 'Value'],
      [
        ['Fulfilled within three months', m.fulfillment.withinBaseline],
        ['Share within baseline (%)', pct(m.fulfillment.withinBaselineShare)],
      ],
    ),
    ...section(
      'Approval time: submitted to approved',
      ['Measure', 'Count', 'Median', 'P90'],
      [distRow('Calendar days', m.approval.calendarDays), distRow('Business days', m.approval.businessDays)],
    ),
    ...section(
      'Outcomes',
      ['Outcome', 'Proposals'],
      [...counts(m.outcomes), ['Approval rate (%) of decided proposals', pct(m.approvalRate)]],
    ),
    ...section('Statutory restriction solutions', ['Solution', 'Proposals'], counts(m.restrictionSolutions)),
    ...section(
      'Data-sharing outcomes (Active or Closed proposals)',
      ['Measure', 'Proposals'],
      [
        ['Outcome recorded', m.dataSharingOutcomes.recorded],
        ['Outcome missing', m.dataSharingOutcomes.missing],
      ],
    ),
    ...section(
      'Agreement end and data disposition',
      ['Measure', 'Proposals'],
      [
        ['Agreements ending in the next 90 days', m.term.endingWithin90Days],
        ['Dispositions due (End Date passed, none recorded)', m.term.dispositionsDue],
        ['Dispositions overdue (escalated to the Governance Liaison)', m.term.dispositionsOverdue],
      ],
    ),
    ...section(
      'Most requested datasets',
      ['Dataset', 'Proposals'],
      m.topDatasets.map((d) => [d.dataset, d.requests]),
    ),
    ...section('By status', ['Status', 'Proposals'], counts(m.byStatus)),
  ];
  const stageTimes: SummaryCell[][] = [
    ...heading('Time in stage (business days)'),
    ...section(
      'Per stage, from the Activity Log (current stays counted to date)',
      ['Stage', 'Stays', 'Median', 'P90'],
      Object.entries(m.timeInStage).map(([stage, d]) => distRow(stage, d)),
    ),
    ...section(
      'Between milestones, from the milestone dates',
      ['Interval', 'Proposals', 'Median', 'P90'],
      Object.entries(m.milestoneIntervals).map(([label, d]) => distRow(label, d)),
    ),
  ];
  const disputes: SummaryCell[][] = [
    ...heading('Disputes'),
    ...section(
      'Totals',
      ['Measure', 'Value'],
      [
        ['Raised', m.disputes.raised],
        ['Open', m.disputes.open],
        ['Resolved', m.disputes.resolved],
      ],
    ),
    ...section(
      'Business days from raised to resolved',
      ['Measure', 'Count', 'Median', 'P90'],
      [distRow('Resolved disputes', m.disputes.businessDaysToResolve)],
    ),
    ...section('By category', ['Category', 'Disputes'], counts(m.disputes.byCategory)),
    ...section('By highest level reached', ['Level', 'Disputes'], counts(m.disputes.byHighestLevel)),
  ];
  const deptHeader = ['Department', 'Proposals', 'Open', 'Approved', 'Denied', 'Median fulfillment (calendar days)'];
  const deptRow = (d: DepartmentRow): SummaryCell[] => [
    d.department,
    d.proposals,
    d.open,
    d.approved,
    d.denied,
    round1(d.medianFulfillmentDays),
  ];
  const breakdowns: SummaryCell[][] = [
    ...heading('Breakdowns'),
    // First, at a fixed place: the Sheets chart "Fulfillment duration by quarter" reads these rows.
    ...section(
      'By quarter of Submitted On',
      ['Quarter', 'Submitted', 'Approved', 'Median approval (calendar days)', 'Median fulfillment (calendar days)'],
      m.bySubmittedQuarter.map((q) => [
        q.quarter,
        q.submitted,
        q.approved,
        round1(q.medianApprovalDays),
        round1(q.medianFulfillmentDays),
      ]),
    ),
    ...section('By requesting department', deptHeader, m.byRequestingDepartment.map(deptRow)),
    ...section('By providing department', deptHeader, m.byProvidingDepartment.map(deptRow)),
  ];
  return [
    { tab: 'Summary', rows: summary },
    { tab: 'Stage Times', rows: stageTimes },
    { tab: 'Dispute Metrics', rows: disputes },
    { tab: 'Breakdowns', rows: breakdowns },
    { tab: 'Task Metrics', rows: taskTable(m) },
  ];
}

function taskTable(m: Metrics): SummaryCell[][] {
  const t = m.tasks;
  const header = ['Open (not done)', 'Due soon', 'Overdue'];
  const row = (r: TaskCountRow): SummaryCell[] => [r.key, r.open, r.dueSoon, r.overdue];
  return [
    ['Tasks'],
    [`As of ${m.asOf}`],
    [],
    ...section(
      'Totals',
      ['Measure', 'Tasks'],
      [
        ['Open (not done)', t.open],
        ['Due soon', t.dueSoon],
        ['Overdue', t.overdue],
        ['Done', t.done],
      ],
    ),
    ...section('Open tasks by owner', ['Owner', ...header], t.byOwner.map(row)),
    ...section('Open tasks by proposal', ['BUCP ID', ...header], t.byProposal.map(row)),
  ];
}

/** Where the Sheets charts find their data: fixed because those sections come first on their tabs. */
export const SUMMARY_CHARTS = [
  { title: 'Proposals by stage', tab: 'Summary', firstRow: 5, rows: 10, labelColumn: 0, valueColumn: 1 },
  {
    title: 'Fulfillment duration by quarter (median calendar days)',
    tab: 'Breakdowns',
    firstRow: 5,
    rows: 40,
    labelColumn: 0,
    valueColumn: 4,
  },
] as const;
