import type { BusinessCalendar } from './calendar.ts';
import { type ChatCard, type ChatCardItem, clip, googleChatMessage, teamsMessage } from './chat-cards.ts';
import type { ChatChannel, ChatKind, Config } from './config.ts';
import { TABS } from './contract.ts';
import type { IsoDate } from './dates.ts';
import type { Findings } from './evaluate.ts';
import type { History } from './history.ts';
import { type OverdueProposal, managerDigestData, mostOverdue } from './manager-digest.ts';
import type { Metrics } from './metrics.ts';
import type { RowLinker } from './notifications.ts';

export { CHAT_KINDS, type ChatKind } from './config.ts';

/**
 * One post to a chat channel, as plain data: the channel it goes to (by name; its URL is a secret the
 * sender holds), its key in the Activity Log, and the ready body. Built from tracker fields and
 * metrics only: nothing from the restricted store exists here.
 */
export interface PlannedChatPost {
  readonly kind: ChatKind;
  readonly channel: string;
  readonly service: ChatChannel['kind'];
  readonly key: string;
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  /** The post's title: the Detail of its intent line. */
  readonly title: string;
  /** The JSON body to post, a pure function of the plan: a retry sends the same bytes. */
  readonly body: unknown;
}

export interface ChatPlanInput {
  readonly evaluation: Findings;
  readonly metrics: Metrics;
  readonly history: History;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'chat' | 'disputes'>;
  readonly link: RowLinker;
}

/** How many proposals the daily board lists. */
const BOARD_TOP = 10;

/**
 * Every chat post due today, for every channel and the kinds it receives: one escalation per
 * proposal's stage visit past twice its SLA, one dispute escalation per (dispute, level), the weekly
 * digest once per ISO week, and the board once per business day. Nothing on weekends or holidays, and
 * nothing already on record as posted.
 */
export function planChatPosts(input: ChatPlanInput): PlannedChatPost[] {
  const { evaluation, calendar, config, history } = input;
  if (config.chat.length === 0 || !calendar.isBusinessDay(evaluation.today)) return [];
  const posts: PlannedChatPost[] = [];
  const cards = chatCards(input);
  for (const channel of config.chat) {
    for (const planned of cards) {
      if (!channel.send.includes(planned.kind)) continue;
      const key = `chat:${channel.name}:${planned.key}`;
      if (history.notifications.sent.has(key)) continue;
      posts.push({
        kind: planned.kind,
        channel: channel.name,
        service: channel.kind,
        key,
        bucpIds: planned.bucpIds,
        disputeId: planned.disputeId,
        title: planned.card.title,
        body:
          channel.kind === 'teams'
            ? teamsMessage(forChannel(planned.card, channel))
            : googleChatMessage(forChannel(planned.card, channel)),
      });
    }
  }
  return posts;
}

/**
 * A link a person in the channel can open: a web link as it is; a local workbook's file link becomes
 * the channel's `trackerUrl` (the workbook on SharePoint or OneDrive), or no button at all.
 */
function webLink(url: string | null, trackerUrl: string | undefined): string | null {
  if (url && /^https?:\/\//i.test(url)) return url;
  return trackerUrl ?? null;
}

function forChannel(card: ChatCard, channel: ChatChannel): ChatCard {
  const link = (url: string | null) => webLink(url, channel.trackerUrl);
  return {
    ...card,
    items: card.items.map((item) => ({ ...item, link: link(item.link) })),
    moreLink: link(card.moreLink),
    links: card.links.flatMap((l) => {
      const url = link(l.url);
      return url ? [{ ...l, url }] : [];
    }),
  };
}

/** A card before it is addressed to a channel: the same for every channel that receives its kind. */
interface KindCard {
  readonly kind: ChatKind;
  readonly key: string;
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  readonly card: ChatCard;
}

function chatCards(input: ChatPlanInput): KindCard[] {
  const wanted = new Set(input.config.chat.flatMap((c) => c.send));
  return [
    ...(wanted.has('escalation') ? escalationCards(input) : []),
    ...(wanted.has('dispute-escalation') ? disputeEscalationCards(input) : []),
    ...(wanted.has('manager-digest') ? [managerDigestCard(input)] : []),
    ...(wanted.has('daily-board') ? [dailyBoardCard(input)] : []),
  ];
}

/** The link that opens the tracker itself, where a list is cut short. */
const trackerLink = (link: RowLinker) => link(TABS.proposals, '', 1);

const NO_LIST = { items: [], more: 0 } as const;

function escalationCards({ evaluation, link }: ChatPlanInput): KindCard[] {
  return evaluation.proposals
    .filter((f) => f.status === 'Escalated')
    .map((f): KindCard => {
      const { proposal } = f;
      const row = link(TABS.proposals, proposal.bucpId, proposal.rowNumber);
      return {
        kind: 'escalation',
        key: `escalation:${proposal.bucpId}:${f.visitId}`,
        bucpIds: [proposal.bucpId],
        disputeId: null,
        card: {
          title: `Escalated: ${proposal.bucpId} ${clip(proposal.useCaseName ?? '(no name)', 120)}`,
          subtitle: `${f.businessDaysInStage} business days in ${f.stage}, more than twice its SLA of ${f.slaDays ?? '-'}`,
          facts: [
            { label: 'BUCP ID', value: proposal.bucpId },
            { label: 'Use case', value: proposal.useCaseName ?? '(no name)' },
            { label: 'Stage', value: f.stage },
            { label: 'In stage since', value: f.since },
            { label: 'Business days in stage', value: String(f.businessDaysInStage) },
            { label: 'SLA (business days)', value: String(f.slaDays ?? '-') },
            { label: 'Requesting department', value: proposal.requestingDepartment ?? '' },
            { label: 'Providing department', value: proposal.providingDepartment ?? '' },
            { label: 'Sponsor', value: proposal.sponsorEmail ?? '(none: the governance liaison is asked)' },
          ],
          ...NO_LIST,
          moreLink: row,
          links: [{ label: 'Open row', url: row }],
        },
      };
    });
}

function disputeEscalationCards({ evaluation, config, link }: ChatPlanInput): KindCard[] {
  const names = new Map(evaluation.proposals.map((f) => [f.proposal.bucpId, f.proposal.useCaseName]));
  return evaluation.disputes
    .filter((f) => f.dispute.valid && f.overdue && f.nextLevel)
    .map((f): KindCard => {
      const { dispute } = f;
      const row = link(TABS.disputes, dispute.disputeId, dispute.rowNumber);
      return {
        kind: 'dispute-escalation',
        key: `dispute-escalation:${dispute.disputeId}:${dispute.level}`,
        bucpIds: dispute.bucpId ? [dispute.bucpId] : [],
        disputeId: dispute.disputeId,
        card: {
          title: `Dispute ${dispute.disputeId} escalates to ${f.nextLevel}`,
          subtitle: `${f.businessDaysAtLevel} business days at ${dispute.level}, the limit is ${config.disputes.businessDaysPerLevel}`,
          facts: [
            { label: 'Dispute ID', value: dispute.disputeId },
            { label: 'BUCP ID', value: dispute.bucpId ?? '' },
            { label: 'Use case', value: (dispute.bucpId && names.get(dispute.bucpId)) || '' },
            { label: 'Category', value: dispute.category ?? 'Uncategorised' },
            { label: 'Level', value: dispute.level },
            { label: 'Next level', value: f.nextLevel ?? '' },
            { label: 'At this level since', value: f.since },
            { label: 'Raised on', value: dispute.raisedOn ?? '' },
          ],
          ...NO_LIST,
          moreLink: row,
          links: [{ label: 'Open dispute', url: row }],
        },
      };
    });
}

function overdueItem(o: OverdueProposal): ChatCardItem {
  return {
    title: `${o.bucpId} ${o.useCaseName}`,
    detail: `${o.status} in ${o.stage}: ${o.businessDaysInStage} business days, SLA ${o.slaDays ?? '-'} (${o.over} over)`,
    link: o.link,
  };
}

function managerDigestCard({ evaluation, metrics, link }: ChatPlanInput): KindCard {
  const data = managerDigestData({ evaluation, metrics, link });
  return {
    kind: 'manager-digest',
    key: `manager-digest:${data.week}`,
    bucpIds: data.overdue.map((o) => o.bucpId),
    disputeId: null,
    card: {
      title: `Weekly BUCP digest, ${data.week}`,
      subtitle: `${data.proposals.total} proposals, ${data.overdueCount} past their SLA, as of ${data.today}`,
      facts: [
        ...data.byStatus.map(({ status, count }) => ({ label: status, value: String(count) })),
        { label: 'Median fulfillment (calendar days)', value: `${data.fulfillmentMedian} (${data.fulfillmentCount})` },
        { label: 'Fulfilled within baseline', value: data.withinBaseline },
        { label: 'Median approval (calendar days)', value: String(data.approvalMedian) },
        { label: 'Approval rate', value: data.approvalRate },
        { label: 'Open disputes', value: String(data.openDisputes) },
        { label: 'Longest wait', value: data.longestWaitStage },
      ],
      listTitle: 'Most overdue',
      items: data.overdue.map(overdueItem),
      more: data.overdueCount - data.overdue.length,
      moreLink: trackerLink(link),
      links: [{ label: 'Open the tracker', url: trackerLink(link) }],
    },
  };
}

function dailyBoardCard({ evaluation, metrics, link }: ChatPlanInput): KindCard {
  const today: IsoDate = evaluation.today;
  const overdue = mostOverdue(evaluation, link);
  const shown = overdue.slice(0, BOARD_TOP);
  return {
    kind: 'daily-board',
    key: `daily-board:${today}`,
    bucpIds: shown.map((o) => o.bucpId),
    disputeId: null,
    card: {
      title: `BUCP board, ${today}`,
      subtitle: `${metrics.proposals.total} proposals, ${overdue.length} past their SLA`,
      facts: Object.entries(metrics.byStatus).map(([status, count]) => ({ label: status, value: String(count) })),
      listTitle: `Most overdue (${Math.min(BOARD_TOP, overdue.length)} of ${overdue.length})`,
      items: shown.map(overdueItem),
      more: overdue.length - shown.length,
      moreLink: trackerLink(link),
      links: [{ label: 'Open the tracker', url: trackerLink(link) }],
    },
  };
}
