// The column contract: the one place that names every tab, header, dropdown list and owner.
// Templates (sheets-templates/) and every store derive from this file; a test fails if they drift.

export const STAGES = [
  'Concept',
  'Drafting',
  'Internal Review',
  'Provider Review',
  'Signatures',
  'Filed',
  'Fulfillment',
  'Active',
  'Closed',
  'Withdrawn',
] as const;
export type Stage = (typeof STAGES)[number];

export const OUTCOMES = ['Pending', 'Approved', 'Approved with Modifications', 'Denied', 'Withdrawn'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const RESTRICTION_SOLUTIONS = [
  'None',
  'Aggregation',
  'De-identification',
  'Reduced Data Elements',
  'Consent',
  'Other',
] as const;
export type RestrictionSolution = (typeof RESTRICTION_SOLUTIONS)[number];

export const DISPUTE_CATEGORIES = ['Provider Objection', 'De-identification Method', 'Cost', 'Other'] as const;
export type DisputeCategory = (typeof DISPUTE_CATEGORIES)[number];

/** In escalation order: a dispute that sits too long at one level goes to the next. */
export const DISPUTE_LEVELS = [
  'Data Coordinators',
  'Risk Management Subcommittee',
  'Governance Advisory Council',
  'Executive Council',
] as const;
export type DisputeLevel = (typeof DISPUTE_LEVELS)[number];

export const DECISIONS = ['Pending', 'Approved', 'Modified', 'Denied', 'Withdrawn'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What the data recipient did with the data when the agreement ended. */
export const DATA_DISPOSITIONS = ['Returned', 'Destroyed', 'Retained with Safeguards'] as const;
export type DataDisposition = (typeof DATA_DISPOSITIONS)[number];

/** Where an agreement stands against its End Date (blank when there is no End Date). */
export const TERM_STATUSES = ['Active', 'Ending Soon', 'Disposition Due', 'Disposition Overdue', 'Closed Out'] as const;
export type TermStatus = (typeof TERM_STATUSES)[number];

export const PROPOSAL_STATUSES = ['On Track', 'Due Soon', 'Stalled', 'Escalated', 'Closed'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const DISPUTE_STATUSES = ['Open', 'Overdue', 'Escalated', 'At Top Level', 'Resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export type ColumnType = 'text' | 'id' | 'email' | 'date' | 'datetime' | 'number' | 'list' | 'multi';
export type Owner = 'staff' | 'system';

/** The name of a dropdown list on the Lists tab. `Departments` comes from config. */
export type ListName =
  | 'Stage'
  | 'Outcome'
  | 'Restriction Solution'
  | 'Dispute Category'
  | 'Dispute Level'
  | 'Decision'
  | 'Data Disposition'
  | 'Departments';

export interface Column {
  readonly header: string;
  readonly owner: Owner;
  readonly type: ColumnType;
  readonly list?: ListName;
  /** A dropdown whose list is advisory: other values are allowed and only warned about. */
  readonly listIsAdvisory?: boolean;
  readonly required?: boolean;
  /** Dates that cannot lie in the future (milestones that already happened). */
  readonly notInFuture?: boolean;
  readonly width: number;
}

const staff = (header: string, type: ColumnType, extra: Partial<Column> = {}): Column => ({
  header,
  owner: 'staff',
  type,
  width: type === 'date' ? 14 : type === 'email' ? 30 : 20,
  ...extra,
});
const system = (header: string, type: ColumnType, extra: Partial<Column> = {}): Column => ({
  header,
  owner: 'system',
  type,
  width: type === 'date' ? 14 : 18,
  ...extra,
});
const pastDate = (header: string): Column => staff(header, 'date', { notInFuture: true });

export const PROPOSAL_COLUMNS: readonly Column[] = [
  staff('BUCP ID', 'id', { required: true, width: 14 }),
  staff('Use Case Name', 'text', { width: 36 }),
  staff('Requesting Department', 'list', { list: 'Departments', listIsAdvisory: true }),
  staff('Providing Department', 'list', { list: 'Departments', listIsAdvisory: true }),
  staff('Requesting Coordinator Email', 'email'),
  staff('Providing Coordinator Email', 'email'),
  staff('Sponsor Email', 'email'),
  staff('Datasets', 'multi', { width: 36 }),
  staff('Stage', 'list', { list: 'Stage', required: true, width: 16 }),
  pastDate('Stage Entered On'),
  pastDate('Concept On'),
  pastDate('Submitted On'),
  pastDate('Approved On'),
  pastDate('Filed On'),
  pastDate('First Data Transfer On'),
  pastDate('Closed On'),
  staff('Outcome', 'list', { list: 'Outcome' }),
  staff('Restriction Solution', 'list', { list: 'Restriction Solution' }),
  staff('Legal Authority', 'text', { width: 30 }),
  staff('Next Action', 'text', { width: 36 }),
  staff('Next Action Owner Email', 'email'),
  staff('Next Action Due', 'date'),
  staff('Documents', 'text', { width: 30 }),
  staff('Data-Sharing Outcome', 'text', { width: 36 }),
  staff('End Date', 'date'),
  staff('Data Disposition', 'list', { list: 'Data Disposition', width: 24 }),
  pastDate('Disposition On'),
  staff('Notes', 'text', { width: 40 }),
  /** What the team would tell the next team: shown on the Library tab and searched by `bucp find`. */
  staff('Lessons Learned', 'text', { width: 50 }),
  system('Stage Since', 'date'),
  system('Business Days in Stage', 'number', { width: 12 }),
  system('SLA Days', 'number', { width: 10 }),
  system('Status', 'text', { width: 12 }),
  system('Term Status', 'text', { width: 18 }),
  system('Next Reminder On', 'date'),
  system('Row Issues', 'text', { width: 50 }),
  system('Last Synced At', 'datetime', { width: 24 }),
];

export const DISPUTE_COLUMNS: readonly Column[] = [
  staff('Dispute ID', 'id', { required: true, width: 14 }),
  staff('BUCP ID', 'id', { required: true, width: 14 }),
  pastDate('Raised On'),
  staff('Category', 'list', { list: 'Dispute Category' }),
  staff('Level', 'list', { list: 'Dispute Level', width: 30 }),
  pastDate('Level Entered On'),
  staff('Decision', 'list', { list: 'Decision' }),
  pastDate('Resolved On'),
  staff('Resolution Summary', 'text', { width: 40 }),
  system('Business Days at Level', 'number', { width: 12 }),
  system('Status', 'text', { width: 14 }),
  system('Escalated To', 'email', { width: 30 }),
  system('Escalated On', 'date'),
  system('Row Issues', 'text', { width: 50 }),
];

export const TASK_STATUSES = ['Open', 'Due Soon', 'Overdue', 'Done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The Tasks tab: work items that coordinate a proposal's fulfillment, several per proposal.
 *
 * A task's identity is a staff-filled `Task ID`, as a proposal's is its BUCP ID. Staff sort, insert and
 * delete rows, so a row's position is never its identity; and the stores address a row only through
 * an ID column they resolve again right before each write. A key the service wrote into a system
 * column would itself have to be written by position first, in exactly the window where a staff sort
 * puts it on another row; it would also be lost when staff copy a row to another tracker or a
 * spreadsheet export. A typed ID has none of those problems, and a row without one is reported (as a
 * proposal without a BUCP ID is) until staff give it one.
 */
export const TASK_COLUMNS: readonly Column[] = [
  staff('Task ID', 'id', { required: true, width: 14 }),
  staff('BUCP ID', 'id', { required: true, width: 14 }),
  staff('Task', 'text', { width: 40 }),
  staff('Owner Email', 'email'),
  staff('Due', 'date'),
  pastDate('Done On'),
  staff('Notes', 'text', { width: 40 }),
  system('Status', 'text', { width: 12 }),
  system('Row Issues', 'text', { width: 50 }),
];

export const ACTIVITY_COLUMNS: readonly Column[] = [
  system('At', 'datetime', { width: 26 }),
  system('On', 'date'),
  system('BUCP ID', 'id', { width: 14 }),
  system('Dispute ID', 'id', { width: 14 }),
  system('Kind', 'text', { width: 20 }),
  system('From', 'text', { width: 22 }),
  system('To', 'text', { width: 30 }),
  system('Detail', 'text', { width: 60 }),
  system('Idempotency Key', 'text', { width: 60 }),
  system('Data', 'text', { width: 30 }),
];

export const ISSUE_COLUMNS: readonly Column[] = [
  system('Tab', 'text', { width: 12 }),
  system('Row', 'number', { width: 8 }),
  system('ID', 'text', { width: 14 }),
  system('Column', 'text', { width: 24 }),
  system('Severity', 'text', { width: 10 }),
  system('Message', 'text', { width: 80 }),
];

export const RESTRICTED_COLUMNS: readonly Column[] = [
  staff('BUCP ID', 'id', { required: true, width: 14 }),
  staff('Specialized Security', 'text', { width: 50 }),
  staff('Specialized Privacy', 'text', { width: 50 }),
  staff('Known Risks', 'text', { width: 50 }),
  staff('Department Positions', 'text', { width: 50 }),
];

export const TABS = {
  proposals: 'Proposals',
  disputes: 'Disputes',
  tasks: 'Tasks',
  library: 'Library',
  lists: 'Lists',
  activity: 'Activity Log',
  issues: 'Issues',
  restricted: 'Restricted',
} as const;

/** Summary tabs are rewritten whole each cycle; their layout comes from the metrics module. */
export const SUMMARY_TABS = ['Summary', 'Stage Times', 'Dispute Metrics', 'Breakdowns', 'Task Metrics'] as const;
export type SummaryTab = (typeof SUMMARY_TABS)[number];

/**
 * System tabs rewritten whole on every cycle (not only when metrics run), from staff data only. The
 * Library is reference content for people: it never reads the restricted store.
 */
export const REFERENCE_TABS = [TABS.library] as const;
export type ReferenceTab = (typeof REFERENCE_TABS)[number];

/**
 * Tabs added after trackers were already in use: a tracker without one still runs (the Issues tab
 * says so, and `bucp init` adds it), where a missing original tab stops the cycle.
 */
export const OPTIONAL_TABS: readonly string[] = [TABS.tasks, 'Task Metrics', TABS.library];

export type StaffTabName = typeof TABS.proposals | typeof TABS.disputes | typeof TABS.tasks;

export interface TabContract {
  readonly name: string;
  readonly owner: Owner;
  readonly columns: readonly Column[];
  /** Tabs keyed by an ID column: rows are matched by this column, never by position. */
  readonly idColumn?: string;
  readonly appendOnly?: boolean;
}

export const TRACKER_TABS: readonly TabContract[] = [
  { name: TABS.proposals, owner: 'staff', columns: PROPOSAL_COLUMNS, idColumn: 'BUCP ID' },
  { name: TABS.disputes, owner: 'staff', columns: DISPUTE_COLUMNS, idColumn: 'Dispute ID' },
  { name: TABS.tasks, owner: 'staff', columns: TASK_COLUMNS, idColumn: 'Task ID' },
  { name: TABS.activity, owner: 'system', columns: ACTIVITY_COLUMNS, appendOnly: true },
  { name: TABS.issues, owner: 'system', columns: ISSUE_COLUMNS },
];

export const RESTRICTED_TAB: TabContract = {
  name: TABS.restricted,
  owner: 'staff',
  columns: RESTRICTED_COLUMNS,
  idColumn: 'BUCP ID',
};

/** Headers of the restricted tab other than the ID: the content that must never leave that store. */
export const RESTRICTED_CONTENT_HEADERS = RESTRICTED_COLUMNS.filter((c) => c.header !== 'BUCP ID').map((c) => c.header);

/** Lists added after Departments: an existing Lists tab keeps its columns where its dropdowns point. */
type LaterList = 'Data Disposition';

export function staticLists(): Record<Exclude<ListName, 'Departments' | LaterList>, readonly string[]> {
  return {
    Stage: STAGES,
    Outcome: OUTCOMES,
    'Restriction Solution': RESTRICTION_SOLUTIONS,
    'Dispute Category': DISPUTE_CATEGORIES,
    'Dispute Level': DISPUTE_LEVELS,
    Decision: DECISIONS,
  };
}

export function allLists(departments: readonly string[]): Record<ListName, readonly string[]> {
  return { ...staticLists(), Departments: departments, 'Data Disposition': DATA_DISPOSITIONS };
}

/** Statuses the sheet highlights, with the fill colour the templates use. */
export const STATUS_HIGHLIGHTS: readonly { status: ProposalStatus; fill: string }[] = [
  { status: 'Due Soon', fill: 'FFF4CC' },
  { status: 'Stalled', fill: 'FFD9B3' },
  { status: 'Escalated', fill: 'F4B6B6' },
];

export const OPEN_STAGES: readonly Stage[] = [
  'Concept',
  'Drafting',
  'Internal Review',
  'Provider Review',
  'Signatures',
  'Filed',
  'Fulfillment',
];

/** Stages after Internal Review, where a restricted record must exist. Withdrawn is exempt. */
export const STAGES_NEEDING_RESTRICTED_RECORD: readonly Stage[] = [
  'Provider Review',
  'Signatures',
  'Filed',
  'Fulfillment',
  'Active',
  'Closed',
];
