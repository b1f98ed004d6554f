import type { ActivityEvent } from './activity.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { TABS } from './contract.ts';
import type { IsoDate } from './dates.ts';
import {
  type DisputeFinding,
  type Evaluation,
  type ProposalFinding,
  coordinatorsOf,
  recipientsFor,
} from './evaluate.ts';
import { type History, type ReminderMemory, nextActionDetail } from './history.ts';
import { flat } from './text.ts';

export type NotificationKind = 'reminder' | 'escalation' | 'dispute-escalation' | 'next-action' | 'manager-digest';
export type TemplateName = 'reminder-digest' | 'escalation' | 'dispute-escalation' | 'next-action' | 'manager-digest';
export type ItemLevel = 'due-soon' | 'stalled' | 'next-action';
export type DigestGroup = 'Escalated' | 'Stalled' | 'Due Soon' | 'Next Action Overdue';

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
  /**
   * Activity Log lines to append once the message is sent: what the repeat rules remember. Made
   * when asked, at the send: a big first cycle plans over 100,000 of them.
   */
  readonly onSent: () => readonly Omit<ActivityEvent, 'at'>[];
}

export type RowLinker = (tab: string, id: string, rowNumber: number) => string;

export interface PlanInput {
  readonly evaluation: Evaluation;
  readonly history: History;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'reminders' | 'contacts' | 'disputes'>;
  readonly link: RowLinker;
}

const GROUP_ORDER: readonly DigestGroup[] = ['Escalated', 'Stalled', 'Due Soon', 'Next Action Overdue'];

/** Whether a stalled reminder to `recipient` is due today under the repeat rule. */
function stalledDue(
  memory: ReminderMemory | undefined,
  recipient: string,
  today: IsoDate,
  calendar: BusinessCalendar,
  repeat: number,
) {
  const last = memory?.stalledLastSent.get(recipient);
  return !last || calendar.businessDaysBetween(last, today) >= repeat;
}

function nextActionDue(
  memory: ReminderMemory | undefined,
  due: IsoDate,
  recipient: string,
  today: IsoDate,
  calendar: BusinessCalendar,
  repeat: number,
) {
  const last = memory?.nextActionLastSent.get(`${due}|${recipient}`);
  return !last || calendar.businessDaysBetween(last, today) >= repeat;
}

/**
 * Everything to send today: at most one digest per person, one escalation per stalled-twice-over
 * stage visit, one dispute escalation per (dispute, level). Nothing on weekends or holidays.
 */
export function planNotifications(input: PlanInput): PlannedNotification[] {
  const { evaluation, history, calendar, config, link } = input;
  const today = evaluation.today;
  if (!calendar.isBusinessDay(today)) return [];
  const notifications: PlannedNotification[] = [];
  const digests = new Map<string, DigestItem[]>();
  const addItem = (recipient: string, item: DigestItem) => {
    const list = digests.get(recipient) ?? [];
    list.push(item);
    digests.set(recipient, list);
  };

  for (const finding of evaluation.proposals) {
    const { proposal, status } = finding;
    if (status === null) continue;
    const memory = history.proposals.get(proposal.bucpId)?.reminders;
    const base = itemBase(finding, link);
    if (status === 'Due Soon' || status === 'Stalled' || status === 'Escalated') {
      for (const recipient of recipientsFor(proposal, finding.stage)) {
        if (status === 'Due Soon' && !memory?.dueSoonSentTo.has(recipient)) {
          addItem(recipient, { ...base, group: 'Due Soon', level: 'due-soon' });
        } else if (
          status !== 'Due Soon' &&
          stalledDue(memory, recipient, today, calendar, config.reminders.stalledRepeatBusinessDays)
        ) {
          addItem(recipient, { ...base, group: status === 'Escalated' ? 'Escalated' : 'Stalled', level: 'stalled' });
        }
      }
    }
    if (status === 'Escalated' && !memory?.escalationSent) {
      notifications.push(planEscalation(finding, base, config, today));
    }
    const due = proposal.nextActionDue;
    const owner = proposal.nextActionOwnerEmail;
    const open = finding.stage !== 'Closed' && finding.stage !== 'Withdrawn';
    if (open && due && owner && due < today) {
      if (nextActionDue(memory, due, owner, today, calendar, config.reminders.nextActionRepeatBusinessDays)) {
        addItem(owner, { ...base, group: 'Next Action Overdue', level: 'next-action' });
      }
    }
  }

  for (const [recipient, items] of [...digests].sort(([a], [b]) => a.localeCompare(b))) {
    const key = `digest:${recipient}:${today}`;
    // One digest a day: whatever becomes due after today's went out waits for the next business day.
    if (history.notifications.sent.has(key)) continue;
    notifications.push(planDigest(recipient, items, key, today));
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

function planDigest(recipient: string, items: DigestItem[], key: string, today: IsoDate): PlannedNotification {
  const sorted = [...items].sort(
    (a, b) =>
      GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) ||
      b.businessDaysInStage - a.businessDaysInStage ||
      a.bucpId.localeCompare(b.bucpId),
  );
  const groups = GROUP_ORDER.map((name) => ({ name, items: sorted.filter((i) => i.group === name) })).filter(
    (g) => g.items.length > 0,
  );
  const onlyNextActions = groups.every((g) => g.name === 'Next Action Overdue');
  const onSent = (): Omit<ActivityEvent, 'at'>[] =>
    sorted.map((item) => ({
      on: today,
      bucpId: item.bucpId,
      disputeId: '',
      kind: 'reminder-sent',
      from: item.level,
      to: recipient,
      detail:
        item.level === 'next-action' && item.nextActionDue
          ? nextActionDetail(item.nextActionDue, item.nextAction)
          : flat`${item.group} in ${item.stage}`,
      key: flat`${item.level}:${item.bucpId}:${recipient}:${today}`,
    }));
  return {
    kind: onlyNextActions ? 'next-action' : 'reminder',
    template: onlyNextActions ? 'next-action' : 'reminder-digest',
    key,
    to: [recipient],
    cc: [],
    bucpIds: [...new Set(sorted.map((i) => i.bucpId))],
    disputeId: null,
    data: { recipient, today, groups, count: sorted.length, mostUrgent: groups[0]?.name ?? '' },
    onSent,
  };
}

function planEscalation(
  finding: ProposalFinding,
  base: ReturnType<typeof itemBase>,
  config: PlanInput['config'],
  today: IsoDate,
): PlannedNotification {
  const { proposal } = finding;
  const sponsor = proposal.sponsorEmail;
  const to = sponsor ?? config.contacts.governanceLiaison;
  const cc = coordinatorsOf(proposal).filter((e) => e !== to);
  return {
    kind: 'escalation',
    template: 'escalation',
    key: flat`escalation:${proposal.bucpId}:${finding.visitId}`,
    to: [to],
    cc,
    bucpIds: [proposal.bucpId],
    disputeId: null,
    data: {
      ...base,
      recipientRole: sponsor ? 'sponsor' : 'governance liaison',
      noSponsor: !sponsor,
      requestingDepartment: proposal.requestingDepartment ?? '',
      providingDepartment: proposal.providingDepartment ?? '',
      today,
    },
    onSent: () => [
      {
        on: today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'escalation-sent',
        from: finding.stage,
        to,
        detail: flat`${finding.businessDaysInStage} business days in ${finding.stage}, SLA ${finding.slaDays ?? '-'}`,
        key: flat`escalation-sent:${proposal.bucpId}:${finding.visitId}`,
      },
    ],
  };
}

function planDisputeEscalation(
  finding: DisputeFinding,
  proposal: ProposalFinding['proposal'] | undefined,
  evaluation: Evaluation,
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
    onSent: () => [
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
