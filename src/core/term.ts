import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { type TermStatus, TABS } from './contract.ts';
import { type IsoDate, addDays, toDayNumber } from './dates.ts';
import { type ProposalFinding, coordinatorsOf } from './evaluate.ts';
import { type TermMemory, termKey } from './history.ts';
import type { PlannedNotification, RowLinker } from './notifications.ts';
import type { ScheduledReminder } from './reminder-schedule.ts';
import type { Proposal } from './schema.ts';

// The end of a data exchange. The CHHS Data Exchange Agreement asks the recipient to return or
// destroy the data when the business use case ends, or to tell the provider, the Governance Liaison
// and the Risk Management Subcommittee of an alternative within 10 days.

export type TermRules = Config['term'];

/**
 * Where an agreement stands against its End Date on `today`; null with no End Date or a withdrawn
 * proposal (no agreement in force). The End Date is the agreement's last day: it has passed the day after.
 */
export function termStatus(
  proposal: Pick<Proposal, 'endDate' | 'dataDisposition' | 'stage'>,
  today: IsoDate,
  rules: TermRules,
): TermStatus | null {
  const end = proposal.endDate;
  if (end === null || proposal.stage === 'Withdrawn') return null;
  if (proposal.dataDisposition !== null) return 'Closed Out';
  const daysPast = toDayNumber(today) - toDayNumber(end);
  if (daysPast > rules.dispositionOverdueDays) return 'Disposition Overdue';
  if (daysPast > 0) return 'Disposition Due';
  if (-daysPast <= Math.max(...rules.renewalDaysBefore)) return 'Ending Soon';
  return 'Active';
}

/** A renewal point's window: from its day until the next (nearer) point's day, or the End Date. */
export interface RenewalWindow {
  readonly point: number;
  readonly from: IsoDate;
  /** The first day it is no longer due. */
  readonly until: IsoDate;
}

/**
 * The renewal points of an End Date, farthest first. A point is due from its day until the next one
 * begins, so a service that was down on the exact day still sends it once, and one that was down
 * through a whole window sends only the point now current.
 */
export function renewalWindows(end: IsoDate, points: readonly number[]): RenewalWindow[] {
  const sorted = [...new Set(points)].sort((a, b) => b - a);
  return sorted.map((point, i) => {
    const next = sorted[i + 1];
    return { point, from: addDays(end, -point), until: next === undefined ? end : addDays(end, -next) };
  });
}

export interface TermScheduleContext {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly rules: TermRules;
}

/**
 * The agreement-end reminders of one proposal, for its coordinators' digests, and the business day
 * each is due: a renewal reminder to both coordinators at each point before the End Date, and a
 * disposition reminder to the requesting (recipient) coordinator once the End Date has passed, until
 * the disposition is overdue and the Governance Liaison takes over (`planDispositionEscalation`).
 */
export function termSchedule(
  finding: Pick<ProposalFinding, 'proposal' | 'status' | 'termStatus'>,
  memory: TermMemory,
  context: TermScheduleContext,
): ScheduledReminder[] {
  const { proposal, termStatus: term } = finding;
  const end = proposal.endDate;
  // An invalid row reminds nobody until it is fixed; a closed-out agreement needs nothing more.
  if (finding.status === null || end === null || term === null || term === 'Closed Out') return [];
  const { today, calendar, rules } = context;
  const reminders: ScheduledReminder[] = [];
  if (term === 'Active' || term === 'Ending Soon') {
    if (proposal.stage === 'Closed') return [];
    for (const window of renewalWindows(end, rules.renewalDaysBefore)) {
      if (today >= window.until) continue;
      const on = calendar.onOrNextBusinessDay(window.from);
      // A window that ends before its first business day (a point on a Saturday, the next on Monday) is skipped.
      if (on >= window.until) continue;
      for (const recipient of coordinatorsOf(proposal)) {
        if (memory.renewalSent.has(termKey(end, window.point, recipient))) continue;
        reminders.push({
          recipient,
          level: 'renewal',
          group: 'Agreement Ending',
          on,
          note: `The agreement ends on ${end} (${window.point}-day notice): renew the BUCP or plan the close-out`,
          data: { end, point: window.point },
        });
      }
    }
  } else if (term === 'Disposition Due') {
    const recipient = proposal.requestingCoordinatorEmail;
    if (recipient && !memory.dispositionDueSent.has(termKey(end, recipient))) {
      reminders.push({
        recipient,
        level: 'disposition-due',
        group: 'Disposition Due',
        on: calendar.onOrNextBusinessDay(addDays(end, 1)),
        note: `The agreement ended on ${end}: return or destroy the data as the BUCP says and record the Data Disposition, or tell the provider, the Governance Liaison and the Risk Management Subcommittee of an alternative within ${rules.dispositionOverdueDays} days`,
        data: { end },
      });
    }
  }
  return reminders;
}

/**
 * An overdue disposition, escalated once per End Date to the Governance Liaison with both
 * coordinators copied. Tracker fields only.
 */
export function planDispositionEscalation(
  finding: ProposalFinding,
  memory: TermMemory,
  context: {
    readonly today: IsoDate;
    readonly config: Pick<Config, 'contacts' | 'term'>;
    readonly link: RowLinker;
  },
): PlannedNotification | null {
  const { proposal } = finding;
  const end = proposal.endDate;
  if (finding.status === null || finding.termStatus !== 'Disposition Overdue' || end === null) return null;
  if (memory.dispositionEscalated.has(end)) return null;
  const { today, config, link } = context;
  const liaison = config.contacts.governanceLiaison;
  const daysPast = toDayNumber(today) - toDayNumber(end);
  return {
    kind: 'disposition-escalation',
    template: 'disposition-escalation',
    key: `disposition-escalation:${proposal.bucpId}:${end}`,
    to: [liaison],
    cc: coordinatorsOf(proposal).filter((e) => e !== liaison),
    bucpIds: [proposal.bucpId],
    disputeId: null,
    data: {
      ...proposalMessageData(finding, link, today),
      endDate: end,
      daysPast,
      limit: config.term.dispositionOverdueDays,
    },
    onSent: [
      {
        on: today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'disposition-escalation-sent',
        from: 'Disposition Overdue',
        to: liaison,
        detail: `no Data Disposition ${daysPast} days after the End Date ${end}`,
        key: `disposition-escalation-sent:${proposal.bucpId}:${end}`,
        data: { end },
      },
    ],
  };
}

/** What a message about one proposal names: the use case, both departments and coordinators, its stage and row. */
export function proposalMessageData(finding: ProposalFinding, link: RowLinker, today: IsoDate) {
  const { proposal } = finding;
  return {
    bucpId: proposal.bucpId,
    useCaseName: proposal.useCaseName ?? '(no name)',
    requestingDepartment: proposal.requestingDepartment ?? '',
    providingDepartment: proposal.providingDepartment ?? '',
    requestingCoordinator: proposal.requestingCoordinatorEmail ?? '',
    providingCoordinator: proposal.providingCoordinatorEmail ?? '',
    stage: finding.stage,
    link: link(TABS.proposals, proposal.bucpId, proposal.rowNumber),
    today,
  };
}
