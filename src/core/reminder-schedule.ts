import type { BusinessCalendar } from './calendar.ts';
import type { Config } from './config.ts';
import type { ProposalStatus, Stage } from './contract.ts';
import { type IsoDate, addDays } from './dates.ts';
import { type ProposalFinding, recipientsFor } from './evaluate.ts';
import { type ProposalMemory, type ReminderMemory, NO_REMINDERS, NO_TERM_MEMORY, nextActionKey } from './history.ts';
import { filingSchedule } from './liaison-notices.ts';
import { termSchedule } from './term.ts';
import { dayStatusBegins } from './status.ts';

export type ItemLevel = 'due-soon' | 'stalled' | 'next-action' | 'renewal' | 'disposition-due' | 'filing';
export type DigestGroup =
  'Escalated' | 'Stalled' | 'Due Soon' | 'Next Action Overdue' | 'Disposition Due' | 'Filing Due' | 'Agreement Ending';

/** One reminder a proposal will give someone, and the business day it is due. */
export interface ScheduledReminder {
  readonly recipient: string;
  readonly level: ItemLevel;
  readonly group: DigestGroup;
  /** The first business day it is due: on or before today, it goes out today. */
  readonly on: IsoDate;
  /** What the line says beyond the stage (agreement end, filing), for people. */
  readonly note?: string;
  /** What its `reminder-sent` line remembers (`ActivityData`): the End Date, the point, the Approved On. */
  readonly data?: { readonly end?: IsoDate; readonly point?: number; readonly approved?: IsoDate };
}

/** What the schedule needs of a proposal and where it stands. */
export interface ReminderSubject {
  /** Null for an invalid row: nobody is reminded until it is fixed. */
  readonly status: ProposalStatus | null;
  readonly stage: Stage;
  readonly since: IsoDate;
  readonly slaDays: number | null;
  /** Who is reminded at this stage (`recipientsFor`). */
  readonly recipients: readonly string[];
  readonly nextActionDue: IsoDate | null;
  readonly nextActionOwner: string | null;
}

export function reminderSubject(finding: ProposalFinding): ReminderSubject {
  const { proposal } = finding;
  return {
    status: finding.status,
    stage: finding.stage,
    since: finding.since,
    slaDays: finding.slaDays,
    recipients: recipientsFor(proposal, finding.stage),
    nextActionDue: proposal.nextActionDue,
    nextActionOwner: proposal.nextActionOwnerEmail,
  };
}

export interface ScheduleContext {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly rules: Config['reminders'];
}

/**
 * The one reminder schedule. It answers both "what is due today" (the reminders whose day is on or
 * before today, for planning) and "when is the next one" (the earliest day, for Next Reminder On):
 * - Due Soon: once per recipient per stage visit, from the day the status begins;
 * - Stalled or Escalated: again every `stalledRepeatBusinessDays` after the last one;
 * - an overdue Next Action: from the day after its due date, again every `nextActionRepeatBusinessDays`
 *   for the same due date.
 */
export function reminderSchedule(
  subject: ReminderSubject,
  memory: ReminderMemory,
  context: ScheduleContext,
): ScheduledReminder[] {
  const { today, calendar, rules } = context;
  const { status, stage, since, slaDays } = subject;
  if (status === null) return [];
  const now = calendar.onOrNextBusinessDay(today);
  const reminders: ScheduledReminder[] = [];
  if (slaDays !== null) {
    const begins = (next: 'Due Soon' | 'Stalled') =>
      dayStatusBegins(calendar, since, slaDays, next, rules.dueSoonWindow);
    for (const recipient of subject.recipients) {
      if (status === 'On Track') {
        reminders.push({ recipient, level: 'due-soon', group: 'Due Soon', on: begins('Due Soon') });
      } else if (status === 'Due Soon') {
        reminders.push(
          memory.dueSoonSentTo.has(recipient)
            ? { recipient, level: 'stalled', group: 'Stalled', on: begins('Stalled') }
            : { recipient, level: 'due-soon', group: 'Due Soon', on: now },
        );
      } else if (status === 'Stalled' || status === 'Escalated') {
        const last = memory.stalledLastSent.get(recipient);
        const on = last ? calendar.addBusinessDays(last, rules.stalledRepeatBusinessDays) : now;
        reminders.push({ recipient, level: 'stalled', group: status, on });
      }
    }
  }
  const due = subject.nextActionDue;
  const owner = subject.nextActionOwner;
  if (due && owner && stage !== 'Closed' && stage !== 'Withdrawn') {
    const last = memory.nextActionLastSent.get(nextActionKey(due, owner));
    // A next action becomes overdue the day after it is due.
    const on =
      due >= today
        ? calendar.onOrNextBusinessDay(addDays(due, 1))
        : last
          ? calendar.addBusinessDays(last, rules.nextActionRepeatBusinessDays)
          : now;
    reminders.push({ recipient: owner, level: 'next-action', group: 'Next Action Overdue', on });
  }
  return reminders;
}

export interface ProposalScheduleContext {
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly config: Pick<Config, 'reminders' | 'term' | 'notices'>;
  /** Whether the filing notice is on since its baseline (`History.noticesOn`). */
  readonly filingNoticeOn: boolean;
}

/**
 * Every digest reminder one proposal gives: its stage reminders (`reminderSchedule`), its agreement-end
 * reminders (`termSchedule`) and its filing reminder (`filingSchedule`). Planning sends those due
 * today; Next Reminder On shows the earliest.
 */
export function proposalSchedule(
  finding: ProposalFinding,
  memory: ProposalMemory | undefined,
  context: ProposalScheduleContext,
): ScheduledReminder[] {
  const { today, calendar, config } = context;
  const term = memory?.term ?? NO_TERM_MEMORY;
  return [
    ...reminderSchedule(reminderSubject(finding), memory?.reminders ?? NO_REMINDERS, {
      today,
      calendar,
      rules: config.reminders,
    }),
    ...termSchedule(finding, term, { today, calendar, rules: config.term }),
    ...filingSchedule(finding, term, { today, calendar, config, noticeOn: context.filingNoticeOn }),
  ];
}

/** The earliest day of a schedule, or null when nothing is scheduled. */
export function nextReminderOn(schedule: readonly ScheduledReminder[]): IsoDate | null {
  return schedule.reduce<IsoDate | null>((first, r) => (first === null || r.on < first ? r.on : first), null);
}
