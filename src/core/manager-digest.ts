import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { TABS } from './contract.ts';
import type { Findings } from './evaluate.ts';
import type { History } from './history.ts';
import type { Metrics } from './metrics.ts';
import type { PlannedNotification, RowLinker } from './notifications.ts';

export interface ManagerDigestInput {
  readonly evaluation: Findings;
  readonly metrics: Metrics;
  readonly history: History;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'contacts'>;
  readonly link: RowLinker;
}

const TOP = 10;
const pct = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 1000) / 10}%`);

/** The ISO week of a day, such as 2026-W48: the weekly digest's period. */
export function isoWeekOf(today: string): string {
  return DateTime.fromISO(today, { zone: 'UTC' }).toFormat("kkkk-'W'WW");
}

/** The proposals past their SLA, most overdue first: business days over the SLA, then BUCP ID. */
export function mostOverdue(evaluation: Findings, link: RowLinker) {
  return evaluation.proposals
    .filter((f) => f.status === 'Stalled' || f.status === 'Escalated')
    .map((f) => ({ f, over: f.businessDaysInStage - (f.slaDays ?? 0) }))
    .sort((a, b) => b.over - a.over || a.f.proposal.bucpId.localeCompare(b.f.proposal.bucpId))
    .map(({ f, over }) => ({
      bucpId: f.proposal.bucpId,
      useCaseName: f.proposal.useCaseName ?? '(no name)',
      stage: f.stage,
      status: f.status,
      businessDaysInStage: f.businessDaysInStage,
      slaDays: f.slaDays,
      over,
      link: link(TABS.proposals, f.proposal.bucpId, f.proposal.rowNumber),
    }));
}
export type OverdueProposal = ReturnType<typeof mostOverdue>[number];

/** The weekly digest's key measures and its most overdue proposals: the email's data, and the chat post's. */
export function managerDigestData(input: Pick<ManagerDigestInput, 'evaluation' | 'metrics' | 'link'>) {
  const { evaluation, metrics, link } = input;
  const today = evaluation.today;
  const allOverdue = mostOverdue(evaluation, link);
  return {
    week: isoWeekOf(today),
    today,
    proposals: metrics.proposals,
    byStatus: Object.entries(metrics.byStatus).map(([status, count]) => ({ status, count })),
    fulfillmentMedian: metrics.fulfillment.calendarDays.median ?? 'n/a',
    fulfillmentCount: metrics.fulfillment.calendarDays.count,
    withinBaseline: pct(metrics.fulfillment.withinBaselineShare),
    approvalMedian: metrics.approval.calendarDays.median ?? 'n/a',
    approvalRate: pct(metrics.approvalRate),
    openDisputes: metrics.disputes.open,
    endingWithin90Days: metrics.term.endingWithin90Days,
    dispositionsDue: metrics.term.dispositionsDue,
    dispositionsOverdue: metrics.term.dispositionsOverdue,
    longestWaitStage: metrics.longestWaitStage ?? 'n/a',
    overdue: allOverdue.slice(0, TOP),
    overdueCount: allOverdue.length,
  };
}
export type ManagerDigestData = ReturnType<typeof managerDigestData>;

/**
 * The weekly digest for managers: once per ISO week for each manager, on the week's first business
 * day or the first cycle after it, so a service that was down on Monday still sends it, once.
 * It carries metrics and tracker fields only.
 */
export function planManagerDigest(input: ManagerDigestInput): PlannedNotification[] {
  const { evaluation, calendar, config } = input;
  const today = evaluation.today;
  if (!calendar.isBusinessDay(today) || config.contacts.managers.length === 0) return [];
  const data = managerDigestData(input);
  const { week, overdue } = data;
  return config.contacts.managers
    .map((manager) => ({ manager, key: `manager-digest:${manager}:${week}` }))
    .filter(({ key }) => !input.history.notifications.sent.has(key))
    .map(({ manager, key }) => {
      return {
        kind: 'manager-digest' as const,
        template: 'manager-digest' as const,
        key,
        to: [manager],
        cc: [],
        bucpIds: overdue.map((o) => o.bucpId),
        disputeId: null,
        data,
        // The notification's own sent record is what keeps it to once a week.
        onSent: [],
      };
    });
}
