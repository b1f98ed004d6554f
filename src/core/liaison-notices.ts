import type { ActivityEvent } from './activity.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import { type Stage, STAGES } from './contract.ts';
import type { IsoDate } from './dates.ts';
import type { ProposalFinding } from './evaluate.ts';
import {
  type History,
  NO_TERM_MEMORY,
  type NoticeName,
  type ProposalMemory,
  type TermMemory,
  termKey,
} from './history.ts';
import type { PlannedNotification, RowLinker } from './notifications.ts';
import type { ScheduledReminder } from './reminder-schedule.ts';
import { proposalMessageData } from './term.ts';

// The Governance Liaison's notices. Under the BUCP instructions the requesting coordinator tells the
// liaison when a BUCP is submitted for review, and once it is approved the providing coordinator
// sends the signed BUCP to the liaison for filing. The service does both for them, or reminds them.

const NOTICES: readonly NoticeName[] = ['submitted', 'filing'];

/** Provider Review and every stage after it on the way to an agreement (not Withdrawn). */
const SUBMITTED_STAGES: readonly Stage[] = STAGES.slice(STAGES.indexOf('Provider Review'), STAGES.indexOf('Withdrawn'));

/** A proposal has been submitted for review once it has Submitted On or has reached Provider Review. */
export function isSubmitted(finding: Pick<ProposalFinding, 'proposal' | 'stage'>): boolean {
  return finding.proposal.submittedOn !== null || SUBMITTED_STAGES.includes(finding.stage);
}

/** The stages up to and through the review: a submitted proposal in one of them is still under review. */
const UNDER_REVIEW_STAGES: readonly Stage[] = STAGES.slice(0, STAGES.indexOf('Provider Review') + 1);
const BEFORE_SUBMISSION_STAGES: readonly Stage[] = STAGES.slice(0, STAGES.indexOf('Provider Review'));

/**
 * Whether a submitted proposal is news to the liaison: it is still under review, or the service saw
 * it before it was submitted (it moved on past Provider Review between two cycles). A row that first
 * appears already past the review (an Active agreement added to the tracker) was announced long ago.
 */
export function submissionIsNews(
  finding: Pick<ProposalFinding, 'proposal' | 'stage'>,
  memory: Pick<ProposalMemory, 'pastVisits'> | undefined,
): boolean {
  if (!isSubmitted(finding)) return false;
  if (UNDER_REVIEW_STAGES.includes(finding.stage)) return true;
  return (memory?.pastVisits ?? []).some((v) => (BEFORE_SUBMISSION_STAGES as readonly string[]).includes(v.stage));
}

/** The first business day the providing coordinator is reminded to have an approved BUCP filed. */
export function filingDueOn(approvedOn: IsoDate, calendar: BusinessCalendar, businessDays: number): IsoDate {
  // Reminded once more than `businessDays` business days have passed, as a stage is stalled past its SLA.
  return calendar.addBusinessDays(approvedOn, businessDays + 1);
}

/** Approved and not filed: the proposal a filing reminder would be about, while the notice is on. */
function awaitingFiling(finding: Pick<ProposalFinding, 'proposal' | 'stage'>): IsoDate | null {
  const { proposal } = finding;
  // A closed or withdrawn proposal is not chased, as its next action is not.
  if (finding.stage === 'Withdrawn' || finding.stage === 'Closed') return null;
  if (proposal.approvedOn === null || proposal.filedOn !== null) return null;
  return proposal.approvedOn;
}

export interface FilingContext {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'notices' | 'reminders'>;
  /** Whether the filing notice is on since its baseline (`History.noticesOn`). */
  readonly noticeOn: boolean;
}

/**
 * The filing reminder of one proposal, for the providing coordinator's digest: from `filingDueOn`,
 * again every `reminders.stalledRepeatBusinessDays` until Filed On is filled.
 */
export function filingSchedule(
  finding: Pick<ProposalFinding, 'proposal' | 'stage' | 'status'>,
  memory: TermMemory,
  context: FilingContext,
): ScheduledReminder[] {
  const { config, calendar } = context;
  const approved = awaitingFiling(finding);
  const recipient = finding.proposal.providingCoordinatorEmail;
  if (!config.notices.filing || !context.noticeOn || finding.status === null) return [];
  if (approved === null || recipient === null || memory.filingBaseline.has(approved)) return [];
  const last = memory.filingLastSent.get(termKey(approved, recipient));
  const first = filingDueOn(approved, calendar, config.notices.filingBusinessDays);
  return [
    {
      recipient,
      level: 'filing',
      group: 'Filing Due',
      on: last ? calendar.addBusinessDays(last, config.reminders.stalledRepeatBusinessDays) : first,
      note: `Approved on ${approved} and not yet filed: send the signed BUCP to the Governance Liaison for filing, then fill Filed On`,
      data: { approved },
    },
  ];
}

/**
 * The "submitted for review" notice to the Governance Liaison, once per proposal, with the requesting
 * coordinator copied. Only tracker fields: the BUCP ID, the use case, both departments and both coordinators.
 */
export function planSubmittedNotice(
  finding: ProposalFinding,
  proposalMemory: ProposalMemory | undefined,
  context: {
    readonly today: IsoDate;
    readonly config: Pick<Config, 'contacts' | 'notices'>;
    readonly noticeOn: boolean;
    readonly link: RowLinker;
  },
): PlannedNotification | null {
  const { proposal } = finding;
  const { today, config, link } = context;
  if (!config.notices.submitted || !context.noticeOn || finding.status === null) return null;
  const memory = proposalMemory?.term ?? NO_TERM_MEMORY;
  if (memory.submittedNoticeDone || !submissionIsNews(finding, proposalMemory)) return null;
  const liaison = config.contacts.governanceLiaison;
  const requesting = proposal.requestingCoordinatorEmail;
  return {
    kind: 'liaison-notice',
    template: 'liaison-submitted',
    key: `liaison-submitted:${proposal.bucpId}`,
    to: [liaison],
    cc: requesting && requesting !== liaison ? [requesting] : [],
    bucpIds: [proposal.bucpId],
    disputeId: null,
    data: { ...proposalMessageData(finding, link, today), submittedOn: proposal.submittedOn ?? '' },
    onSent: [
      {
        on: today,
        bucpId: proposal.bucpId,
        disputeId: '',
        kind: 'liaison-notice-sent',
        from: 'submitted',
        to: liaison,
        detail: `submitted for review${proposal.submittedOn ? ` on ${proposal.submittedOn}` : ''} (${finding.stage})`,
        key: `liaison-notice-sent:submitted:${proposal.bucpId}`,
      },
    ],
  };
}

/**
 * The lines that switch each notice on or off. Switched on for a tracker the service already knows
 * (its Activity Log remembers proposals), every proposal already past the notice's event gets a
 * baseline line instead of a notice, so the liaison is not flooded about old proposals: only those
 * that reach the event after this cycle get one. On a tracker with no memory yet, everything counts
 * as new, as the first cycle's stage reminders do.
 */
export function noticeBaselineEvents(
  findings: readonly ProposalFinding[],
  history: History,
  context: { readonly today: IsoDate; readonly calendar: BusinessCalendar; readonly config: Pick<Config, 'notices'> },
): Omit<ActivityEvent, 'at'>[] {
  const { today, calendar, config } = context;
  const events: Omit<ActivityEvent, 'at'>[] = [];
  const line = (notice: NoticeName, to: string, bucpId: string, detail: string, key: string) => ({
    on: today,
    bucpId,
    disputeId: '',
    kind: 'notice-baseline' as const,
    from: notice,
    to,
    detail,
    key,
  });
  const known = history.proposals.size > 0;
  for (const notice of NOTICES) {
    const on = config.notices[notice];
    const wasOn = history.noticesOn.has(notice);
    if (!on && wasOn)
      events.push(line(notice, 'off', '', `the ${notice} notice is off`, `notice-off:${notice}:${today}`));
    if (!on || wasOn) continue;
    events.push(line(notice, 'on', '', `the ${notice} notice is on`, `notice-on:${notice}:${today}`));
    if (!known) continue;
    for (const finding of findings) {
      const id = finding.proposal.bucpId;
      const memory = history.proposals.get(id)?.term ?? NO_TERM_MEMORY;
      if (
        notice === 'submitted' &&
        !memory.submittedNoticeDone &&
        submissionIsNews(finding, history.proposals.get(id))
      ) {
        events.push(
          line(
            notice,
            'exempt',
            id,
            'already submitted when the notice was switched on',
            `notice-baseline:${notice}:${id}`,
          ),
        );
      }
      const approved = notice === 'filing' ? awaitingFiling(finding) : null;
      if (approved && !memory.filingBaseline.has(approved)) {
        if (filingDueOn(approved, calendar, config.notices.filingBusinessDays) > today) continue;
        events.push({
          ...line(
            notice,
            'exempt',
            id,
            `approved ${approved} and already due for filing when the notice was switched on`,
            `notice-baseline:${notice}:${id}:${approved}`,
          ),
          data: { approved },
        });
      }
    }
  }
  return events;
}
