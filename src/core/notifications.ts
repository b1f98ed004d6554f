import type { ActivityEvent } from './activity.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { TABS } from './contract.ts';
import type { IsoDate } from './dates.ts';
import { type DisputeFinding, type Findings, type ProposalFinding, coordinatorsOf } from './evaluate.ts';
import { type History, NO_REMINDERS, NO_TERM_MEMORY, nextActionDetail } from './history.ts';
import { planSubmittedNotice } from './liaison-notices.ts';
import { type DigestGroup, type ItemLevel, type ScheduledReminder, proposalSchedule } from './reminder-schedule.ts';
import type { TaskFinding, TaskReminderLevel } from './tasks.ts';
import { planDispositionEscalation } from './term.ts';

export const NOTIFICATION_KINDS = [
  'reminder',
  'escalation',
  'dispute-escalation',
  'next-action',
  'manager-digest',
  'disposition-escalation',
  'liaison-notice',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type TemplateName =
  | 'reminder-digest'
  | 'escalation'
  | 'dispute-escalation'
  | 'next-action'
  | 'manager-digest'
  | 'disposition-escalation'
  | 'liaison-submitted';
export type { DigestGroup, ItemLevel } from './reminder-schedule.ts';

/** One proposal line in a digest. Only tracker fields: nothing from the restricted store exists here. */
export interface DigestItem {
  readonly group: DigestGroup;
  readonly level: ItemLevel;
  readonly bucpId: string;
  readonly useCaseName: string;
  readonly stage: string;
  readonly businessDaysInStage: number;
  readonly slaDays: number | null;
  readonly since: IsoDate;
  readonly link: string;
  readonly nextAction: string | null;
  readonly nextActionDue: IsoDate | null;
  /** What an agreement-end or filing line asks of the recipient; null on a stage line. */
  readonly note: string | null;
}

/** One task line in a digest: the owner's task that is due soon or overdue. Tracker fields only. */
export interface TaskDigestItem {
  readonly level: TaskReminderLevel;
  /** 'Due Soon' or 'Overdue', as the task's Status column shows it. */
  readonly status: string;
  readonly taskId: string;
  readonly task: string;
  readonly bucpId: string;
  readonly useCaseName: string;
  readonly due: IsoDate;
  readonly link: string;
}

export interface PlannedNotification {
  readonly kind: NotificationKind;
  readonly template: TemplateName;
  readonly key: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  /** The template's context. Built from tracker fields only. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Activity Log lines to append once the message is sent: what the repeat rules remember. */
  readonly onSent: readonly Omit<ActivityEvent, 'at'>[];
}

export type RowLinker = (tab: string, id: string, rowNumber: number) => string;

export interface PlanInput {
  readonly evaluation: Findings;
  /** Tasks and the reminders their owners are due; none when the tracker has no Tasks tab. */
  readonly tasks?: readonly TaskFinding[];
  readonly history: History;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'reminders' | 'contacts' | 'disputes' | 'term' | 'notices'>;
  readonly link: RowLinker;
}

const GROUP_ORDER: readonly DigestGroup[] = [
  'Escalated',
  'Stalled',
  'Disposition Due',
  'Due Soon',
  'Filing Due',
  'Next Action Overdue',
  'Agreement Ending',
];

/**
 * Everything to send today: at most one digest per person (stage, agreement-end and filing lines
 * alike), one escalation per stalled-twice-over stage visit, one overdue-disposition escalation per
 * End Date, one "submitted for review" notice per proposal, one dispute escalation per (dispute,
 * level). Escalations and notices are messages of their own, because they copy people a digest does
 * not. Nothing on weekends or holidays.
 */
export function planNotifications(input: PlanInput): PlannedNotification[] {
  const { evaluation, history, calendar, config, link } = input;
  const today = evaluation.today;
  if (!calendar.isBusinessDay(today)) return [];
  const notifications: PlannedNotification[] = [];
  const digests = new Map<string, DigestEntry[]>();
  const addItem = (recipient: string, entry: DigestEntry) => {
    const list = digests.get(recipient) ?? [];
    list.push(entry);
    digests.set(recipient, list);
  };

  const scheduleContext = { today, calendar, config, filingNoticeOn: history.noticesOn.has('filing') };
  const submittedNoticeOn = history.noticesOn.has('submitted');
  for (const finding of evaluation.proposals) {
    const { proposal, status } = finding;
    const proposalMemory = history.proposals.get(proposal.bucpId);
    const memory = proposalMemory?.reminders ?? NO_REMINDERS;
    const term = proposalMemory?.term ?? NO_TERM_MEMORY;
    for (const reminder of proposalSchedule(finding, proposalMemory, scheduleContext)) {
      if (reminder.on <= today) addItem(reminder.recipient, { finding, reminder });
    }
    if (status === 'Escalated' && !memory.escalationSent) {
      notifications.push(planEscalation(finding, link, config, today));
    }
    const escalation = planDispositionEscalation(finding, term, { today, config, link });
    if (escalation) notifications.push(escalation);
    const notice = planSubmittedNotice(finding, proposalMemory, { today, config, noticeOn: submittedNoticeOn, link });
    if (notice) notifications.push(notice);
  }

  // A task owner's lines join the same digest as their proposal lines: one email a day per person.
  const taskLines = new Map<string, TaskDigestItem[]>();
  for (const finding of input.tasks ?? []) {
    if (!finding.reminder) continue;
    const owner = finding.task.ownerEmail!;
    taskLines.set(owner, [...(taskLines.get(owner) ?? []), taskItem(finding, link)]);
  }
  const recipients = [...new Set([...digests.keys(), ...taskLines.keys()])].sort((a, b) => a.localeCompare(b));
  for (const recipient of recipients) {
    const key = `digest:${recipient}:${today}`;
    // One digest a day: whatever becomes due after today's went out waits for the next business day.
    if (history.notifications.sent.has(key)) continue;
    notifications.push(
      planDigest(recipient, digests.get(recipient) ?? [], taskLines.get(recipient) ?? [], key, today, link),
    );
  }

  const proposalsById = new Map(evaluation.proposals.map((f) => [f.proposal.bucpId, f.proposal]));
  for (const finding of evaluation.disputes) {
    const proposal = finding.dispute.bucpId ? proposalsById.get(finding.dispute.bucpId) : undefined;
    const planned = planDisputeEscalation(finding, proposal, evaluation, history, config, link);
    if (planned) notifications.push(planned);
  }
  return notifications;
}

function itemBase(finding: ProposalFinding, link: RowLinker) {
  const { proposal } = finding;
  return {
    bucpId: proposal.bucpId,
    useCaseName: proposal.useCaseName ?? '(no name)',
    stage: finding.stage,
    businessDaysInStage: finding.businessDaysInStage,
    slaDays: finding.slaDays,
    since: finding.since,
    link: link(TABS.proposals, proposal.bucpId, proposal.rowNumber),
    nextAction: proposal.nextAction,
    nextActionDue: proposal.nextActionDue,
  };
}

/** One proposal in a recipient's digest, as planned: the finding it comes from and the reminder. */
interface DigestEntry {
  readonly finding: ProposalFinding;
  readonly reminder: ScheduledReminder;
}

function taskItem(finding: TaskFinding, link: RowLinker): TaskDigestItem {
  const { task } = finding;
  return {
    level: finding.reminder!,
    status: finding.status,
    taskId: task.taskId,
    task: task.task ?? '(no description)',
    bucpId: task.bucpId ?? '',
    useCaseName: finding.useCaseName ?? '',
    due: task.due!,
    link: link(TABS.tasks, task.taskId, task.rowNumber),
  };
}

/** Overdue tasks first, then by due date. */
function byUrgency(a: TaskDigestItem, b: TaskDigestItem): number {
  return (
    Number(b.level === 'task-overdue') - Number(a.level === 'task-overdue') ||
    a.due.localeCompare(b.due) ||
    a.taskId.localeCompare(b.taskId)
  );
}

/**
 * A reminder digest: `reminder`, or `next-action` when every line is an overdue next action. Task lines
 * come after the proposals, in their own section.
 */
function planDigest(
  recipient: string,
  entries: readonly DigestEntry[],
  taskLines: readonly TaskDigestItem[],
  key: string,
  today: IsoDate,
  link: RowLinker,
): PlannedNotification {
  const sorted = [...entries].sort(
    (a, b) =>
      GROUP_ORDER.indexOf(a.reminder.group) - GROUP_ORDER.indexOf(b.reminder.group) ||
      b.finding.businessDaysInStage - a.finding.businessDaysInStage ||
      a.finding.proposal.bucpId.localeCompare(b.finding.proposal.bucpId),
  );
  const groupNames = GROUP_ORDER.filter((name) => sorted.some((e) => e.reminder.group === name));
  const onlyNextActions = taskLines.length === 0 && groupNames.every((name) => name === 'Next Action Overdue');
  const tasks = [...taskLines].sort(byUrgency);
  const items = sorted.map(({ finding, reminder }): DigestItem => ({
    ...itemBase(finding, link),
    group: reminder.group,
    level: reminder.level,
    note: reminder.note ?? null,
  }));
  return {
    kind: onlyNextActions ? 'next-action' : 'reminder',
    template: onlyNextActions ? 'next-action' : 'reminder-digest',
    key,
    to: [recipient],
    cc: [],
    bucpIds: [...new Set([...items.map((i) => i.bucpId), ...tasks.map((t) => t.bucpId).filter((id) => id !== '')])],
    disputeId: null,
    data: {
      recipient,
      today,
      groups: groupNames.map((name) => ({ name, items: items.filter((i) => i.group === name) })),
      count: items.length,
      mostUrgent: groupNames[0] ?? '',
      tasks,
      taskCount: tasks.length,
    },
    onSent: [
      ...items.map((item, i) => reminderSentLine(item, sorted[i]!.reminder, recipient, today)),
      ...tasks.map((item) => taskReminderSentLine(item, recipient, today)),
    ],
  };
}

/** What the memory keeps of one task line once it is sent: that task, level and due date are done. */
function taskReminderSentLine(item: TaskDigestItem, recipient: string, today: IsoDate): Omit<ActivityEvent, 'at'> {
  return {
    on: today,
    bucpId: item.bucpId,
    disputeId: '',
    kind: 'task-reminder-sent',
    from: item.level,
    to: recipient,
    detail: `task ${item.taskId} ${item.status.toLowerCase()}, due ${item.due}`,
    key: `${item.level}:${item.taskId}:${item.due}:${recipient}`,
    data: { taskId: item.taskId, due: item.due },
  };
}

/** What the repeat rules remember of one digest line once it is sent. */
function reminderSentLine(
  item: DigestItem,
  reminder: ScheduledReminder,
  recipient: string,
  today: IsoDate,
): Omit<ActivityEvent, 'at'> {
  const due = item.level === 'next-action' ? item.nextActionDue : null;
  const data = due ? { due } : reminder.data;
  return {
    on: today,
    bucpId: item.bucpId,
    disputeId: '',
    kind: 'reminder-sent',
    from: item.level,
    to: recipient,
    detail: due ? nextActionDetail(due, item.nextAction) : (item.note ?? `${item.group} in ${item.stage}`),
    key: `${item.level}:${item.bucpId}:${recipient}:${today}`,
    ...(data ? { data } : {}),
  };
}

/** An escalation to the sponsor (or the governance liaison), once per stalled-twice-over stage visit. */
function planEscalation(
  finding: ProposalFinding,
  link: RowLinker,
  config: PlanInput['config'],
  today: IsoDate,
): PlannedNotification {
  const { proposal, stage, businessDaysInStage, slaDays, visitId } = finding;
  const sponsor = proposal.sponsorEmail;
  const to = sponsor ?? config.contacts.governanceLiaison;
  return {
    kind: 'escalation',
    template: 'escalation',
    key: `escalation:${proposal.bucpId}:${visitId}`,
    to: [to],
    cc: coordinatorsOf(proposal).filter((e) => e !== to),
    bucpIds: [proposal.bucpId],
    disputeId: null,
    data: {
      ...itemBase(finding, link),
      recipientRole: sponsor ? 'sponsor' : 'governance liaison',
      noSponsor: !sponsor,
      requestingDepartment: proposal.requestingDepartment ?? '',
      providingDepartment: proposal.providingDepartment ?? '',
      today,
    },
    onSent: [
      {
        on: today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'escalation-sent',
        from: stage,
        to,
        detail: `${businessDaysInStage} business days in ${stage}, SLA ${slaDays ?? '-'}`,
        key: `escalation-sent:${proposal.bucpId}:${visitId}`,
      },
    ],
  };
}

function planDisputeEscalation(
  finding: DisputeFinding,
  proposal: ProposalFinding['proposal'] | undefined,
  evaluation: Findings,
  history: History,
  config: PlanInput['config'],
  link: RowLinker,
): PlannedNotification | null {
  const today = evaluation.today;
  const { dispute, nextLevel } = finding;
  if (!dispute.valid || !finding.overdue || !nextLevel) return null;
  if (history.disputes.get(dispute.disputeId)?.escalations.has(dispute.level)) return null;
  const contact = config.contacts.disputeLevels[nextLevel];
  if (!contact) return null;
  const cc = [
    ...new Set(
      [
        proposal?.requestingCoordinatorEmail,
        proposal?.providingCoordinatorEmail,
        config.contacts.governanceLiaison,
      ].filter((e): e is string => !!e && e !== contact),
    ),
  ];
  return {
    kind: 'dispute-escalation',
    template: 'dispute-escalation',
    key: `dispute-escalation:${dispute.disputeId}:${dispute.level}`,
    to: [contact],
    cc,
    bucpIds: dispute.bucpId ? [dispute.bucpId] : [],
    disputeId: dispute.disputeId,
    data: {
      disputeId: dispute.disputeId,
      bucpId: dispute.bucpId ?? '',
      useCaseName: proposal?.useCaseName ?? '',
      category: dispute.category ?? 'Uncategorised',
      level: dispute.level,
      nextLevel,
      since: finding.since,
      businessDaysAtLevel: finding.businessDaysAtLevel,
      limit: config.disputes.businessDaysPerLevel,
      raisedOn: dispute.raisedOn ?? '',
      link: link(TABS.disputes, dispute.disputeId, dispute.rowNumber),
      today,
    },
    onSent: [
      {
        on: today,
        bucpId: dispute.bucpId ?? '',
        disputeId: dispute.disputeId,
        kind: 'dispute-escalation-sent',
        from: dispute.level,
        to: contact,
        detail: `to ${nextLevel} after ${finding.businessDaysAtLevel} business days at ${dispute.level}`,
        key: `dispute-escalation-sent:${dispute.disputeId}:${dispute.level}`,
      },
    ],
  };
}
