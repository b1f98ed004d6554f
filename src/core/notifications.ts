import type { ActivityEvent } from './activity.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { TABS } from './contract.ts';
import type { IsoDate } from './dates.ts';
import { type DisputeFinding, type Findings, type ProposalFinding, coordinatorsOf, recipientsFor } from './evaluate.ts';
import { type History, type ReminderMemory, nextActionDetail } from './history.ts';

export const NOTIFICATION_KINDS = [
  'reminder',
  'escalation',
  'dispute-escalation',
  'next-action',
  'manager-digest',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
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
  readonly evaluation: Findings;
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
  const last = memory?.stalledLastSent(recipient);
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
  const last = memory?.nextActionLastSent(due, recipient);
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
  const digests = new Map<string, DigestEntry[]>();
  const addItem = (recipient: string, entry: DigestEntry) => {
    const list = digests.get(recipient) ?? [];
    list.push(entry);
    digests.set(recipient, list);
  };

  for (const finding of evaluation.proposals) {
    const { proposal, status } = finding;
    if (status === null) continue;
    const memory = history.proposals.get(proposal.bucpId)?.reminders;
    if (status === 'Due Soon' || status === 'Stalled' || status === 'Escalated') {
      for (const recipient of recipientsFor(proposal, finding.stage)) {
        if (status === 'Due Soon' && !memory?.dueSoonSentTo(recipient)) {
          addItem(recipient, { finding, group: 'Due Soon', level: 'due-soon' });
        } else if (
          status !== 'Due Soon' &&
          stalledDue(memory, recipient, today, calendar, config.reminders.stalledRepeatBusinessDays)
        ) {
          addItem(recipient, { finding, group: status === 'Escalated' ? 'Escalated' : 'Stalled', level: 'stalled' });
        }
      }
    }
    if (status === 'Escalated' && !memory?.escalationSent) {
      notifications.push(planEscalation(finding, link, config, today));
    }
    const due = proposal.nextActionDue;
    const owner = proposal.nextActionOwnerEmail;
    const open = finding.stage !== 'Closed' && finding.stage !== 'Withdrawn';
    if (open && due && owner && due < today) {
      if (nextActionDue(memory, due, owner, today, calendar, config.reminders.nextActionRepeatBusinessDays)) {
        addItem(owner, { finding, group: 'Next Action Overdue', level: 'next-action' });
      }
    }
  }

  for (const [recipient, items] of [...digests].sort(([a], [b]) => a.localeCompare(b))) {
    const key = `digest:${recipient}:${today}`;
    // One digest a day: whatever becomes due after today's went out waits for the next business day.
    if (history.notifications.sent.has(key)) continue;
    notifications.push(planDigest(recipient, items, key, today, link));
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

/**
 * One proposal in a recipient's digest, as planned: the finding it comes from and where it goes.
 * Its DigestItem (with the row link) is made only when the message is rendered: a big first cycle
 * plans digests with 100,000 lines, and most of a line is text the template needs for a moment.
 */
interface DigestEntry {
  readonly finding: ProposalFinding;
  readonly group: DigestGroup;
  readonly level: ItemLevel;
}

function planDigest(
  recipient: string,
  entries: DigestEntry[],
  key: string,
  today: IsoDate,
  link: RowLinker,
): PlannedNotification {
  const sorted = [...entries].sort(
    (a, b) =>
      GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) ||
      b.finding.businessDaysInStage - a.finding.businessDaysInStage ||
      a.finding.proposal.bucpId.localeCompare(b.finding.proposal.bucpId),
  );
  return new DigestNotice(recipient, sorted, key, today, link);
}

/**
 * A reminder digest. Its template data (with a row link per line) is made when the message is
 * rendered: a big first cycle plans digests with 100,000 lines. A class, so that each notice is a
 * small fixed-shape object; its getter and methods live once, on the prototype.
 */
class DigestNotice implements PlannedNotification {
  readonly kind: NotificationKind;
  readonly template: TemplateName;
  readonly key: string;
  readonly to: readonly string[];
  readonly cc: readonly string[] = [];
  readonly bucpIds: readonly string[];
  readonly disputeId = null;
  private readonly entries: readonly DigestEntry[];
  private readonly groupNames: readonly DigestGroup[];
  private readonly today: IsoDate;
  private readonly link: RowLinker;

  constructor(recipient: string, sorted: readonly DigestEntry[], key: string, today: IsoDate, link: RowLinker) {
    this.groupNames = GROUP_ORDER.filter((name) => sorted.some((e) => e.group === name));
    const onlyNextActions = this.groupNames.every((name) => name === 'Next Action Overdue');
    this.kind = onlyNextActions ? 'next-action' : 'reminder';
    this.template = onlyNextActions ? 'next-action' : 'reminder-digest';
    this.key = key;
    this.to = [recipient];
    this.bucpIds = [...new Set(sorted.map((e) => e.finding.proposal.bucpId))];
    this.entries = sorted;
    this.today = today;
    this.link = link;
  }

  get data(): Readonly<Record<string, unknown>> {
    const items = this.entries.map(({ finding, group, level }): DigestItem => ({
      ...itemBase(finding, this.link),
      group,
      level,
    }));
    const groups = this.groupNames.map((name) => ({ name, items: items.filter((i) => i.group === name) }));
    const mostUrgent = this.groupNames[0] ?? '';
    return { recipient: this.to[0]!, today: this.today, groups, count: items.length, mostUrgent };
  }

  onSent(): Omit<ActivityEvent, 'at'>[] {
    const recipient = this.to[0]!;
    const today = this.today;
    return this.entries.map(({ finding, group, level }) => {
      const { proposal } = finding;
      return {
        on: today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'reminder-sent',
        from: level,
        to: recipient,
        detail:
          level === 'next-action' && proposal.nextActionDue
            ? nextActionDetail(proposal.nextActionDue, proposal.nextAction)
            : `${group} in ${finding.stage}`,
        key: `${level}:${proposal.bucpId}:${recipient}:${today}`,
      };
    });
  }
}

function planEscalation(
  finding: ProposalFinding,
  link: RowLinker,
  config: PlanInput['config'],
  today: IsoDate,
): PlannedNotification {
  const { proposal } = finding;
  const to = proposal.sponsorEmail ?? config.contacts.governanceLiaison;
  return new EscalationNotice(finding, to, link, today);
}

/** An escalation to the sponsor (or the governance liaison). Its data is made when rendered, as a digest's. */
class EscalationNotice implements PlannedNotification {
  readonly kind = 'escalation';
  readonly template = 'escalation';
  readonly key: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bucpIds: readonly string[];
  readonly disputeId = null;
  private readonly finding: ProposalFinding;
  private readonly link: RowLinker;
  private readonly today: IsoDate;

  constructor(finding: ProposalFinding, to: string, link: RowLinker, today: IsoDate) {
    const { proposal } = finding;
    this.key = `escalation:${proposal.bucpId}:${finding.visitId}`;
    this.to = [to];
    this.cc = coordinatorsOf(proposal).filter((e) => e !== to);
    this.bucpIds = [proposal.bucpId];
    this.finding = finding;
    this.link = link;
    this.today = today;
  }

  get data(): Readonly<Record<string, unknown>> {
    const { proposal } = this.finding;
    const sponsor = proposal.sponsorEmail;
    return {
      ...itemBase(this.finding, this.link),
      recipientRole: sponsor ? 'sponsor' : 'governance liaison',
      noSponsor: !sponsor,
      requestingDepartment: proposal.requestingDepartment ?? '',
      providingDepartment: proposal.providingDepartment ?? '',
      today: this.today,
    };
  }

  onSent(): Omit<ActivityEvent, 'at'>[] {
    const { proposal, stage, businessDaysInStage, slaDays, visitId } = this.finding;
    return [
      {
        on: this.today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'escalation-sent',
        from: stage,
        to: this.to[0]!,
        detail: `${businessDaysInStage} business days in ${stage}, SLA ${slaDays ?? '-'}`,
        key: `escalation-sent:${proposal.bucpId}:${visitId}`,
      },
    ];
  }
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
