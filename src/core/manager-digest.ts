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

/**
 * The weekly digest for managers: once per ISO week for each manager, on the week's first business
 * day or the first cycle after it, so a service that was down on Monday still sends it, once.
 * It carries metrics and tracker fields only.
 */
export function planManagerDigest(input: ManagerDigestInput): PlannedNotification[] {
  const { evaluation, metrics, calendar, config, link } = input;
  const today = evaluation.today;
  if (!calendar.isBusinessDay(today) || config.contacts.managers.length === 0) return [];
  const week = DateTime.fromISO(today, { zone: 'UTC' }).toFormat("kkkk-'W'WW");
  const overdue = evaluation.proposals
    .filter((f) => f.status === 'Stalled' || f.status === 'Escalated')
    .map((f) => ({ f, over: f.businessDaysInStage - (f.slaDays ?? 0) }))
    .sort((a, b) => b.over - a.over || a.f.proposal.bucpId.localeCompare(b.f.proposal.bucpId))
    .slice(0, TOP)
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
  const data = {
    week,
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
    overdue,
    overdueCount: evaluation.proposals.filter((f) => f.status === 'Stalled' || f.status === 'Escalated').length,
  };
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
