import { type ActivityEvent, readActivityLog } from './activity.ts';
import type { SheetRow } from './cells.ts';
import type { IsoDate } from './dates.ts';
import { type TaskReminderLevel, taskReminderKey } from './tasks.ts';
import { LEVEL_KINDS, STAGE_KINDS, type Visit, foldVisit } from './lifecycle.ts';

/** What has been sent about one proposal during its current stage visit. */
export interface ReminderMemory {
  readonly escalationSent: boolean;
  /** Recipients who already got the due-soon reminder this visit. */
  readonly dueSoonSentTo: ReadonlySet<string>;
  /** The day of the last stalled reminder, by recipient. */
  readonly stalledLastSent: ReadonlyMap<string, IsoDate>;
  /** The day of the last next-action reminder, by `nextActionKey(due, recipient)`. */
  readonly nextActionLastSent: ReadonlyMap<string, IsoDate>;
}

/** Next-action reminders are remembered per due date and recipient: a new due date starts afresh. */
export function nextActionKey(due: IsoDate, recipient: string): string {
  return `${due}|${recipient}`;
}

/** The memory of a stage visit with no reminders sent yet. */
export const NO_REMINDERS: ReminderMemory = {
  escalationSent: false,
  dueSoonSentTo: new Set<string>() as ReadonlySet<string>,
  stalledLastSent: new Map<string, IsoDate>() as ReadonlyMap<string, IsoDate>,
  nextActionLastSent: new Map<string, IsoDate>() as ReadonlyMap<string, IsoDate>,
};

/**
 * What has been sent about a proposal's agreement end and the liaison's notices. Unlike the stage
 * reminders it outlives stage visits: each is remembered by the End Date or Approved On it was about.
 */
export interface TermMemory {
  /** Renewal points sent, by `termKey(end, point, recipient)`. */
  readonly renewalSent: ReadonlySet<string>;
  /** Disposition-due reminders sent, by `termKey(end, recipient)`. */
  readonly dispositionDueSent: ReadonlySet<string>;
  /** End Dates whose overdue disposition was escalated to the Governance Liaison. */
  readonly dispositionEscalated: ReadonlySet<string>;
  /** The day of the last filing reminder, by `termKey(approved, recipient)`. */
  readonly filingLastSent: ReadonlyMap<string, IsoDate>;
  /** The "submitted for review" notice went out, or the proposal was past that point when the notice was switched on. */
  readonly submittedNoticeDone: boolean;
  /** Approved On dates already overdue for filing when the filing notice was switched on: not reminded. */
  readonly filingBaseline: ReadonlySet<string>;
}

/** The key a term memory entry is stored under: its parts joined. */
export function termKey(...parts: readonly (string | number)[]): string {
  return parts.join('|');
}

export const NO_TERM_MEMORY: TermMemory = {
  renewalSent: new Set<string>() as ReadonlySet<string>,
  dispositionDueSent: new Set<string>() as ReadonlySet<string>,
  dispositionEscalated: new Set<string>() as ReadonlySet<string>,
  filingLastSent: new Map<string, IsoDate>() as ReadonlyMap<string, IsoDate>,
  submittedNoticeDone: false,
  filingBaseline: new Set<string>() as ReadonlySet<string>,
};

/** The liaison's notices the config can switch on or off. */
export type NoticeName = 'submitted' | 'filing';

export interface PastVisit {
  readonly stage: string;
  readonly since: IsoDate;
  readonly until: IsoDate;
}

export interface ProposalMemory {
  readonly stage: Visit | undefined;
  /** Reminders sent during the current stage visit. */
  readonly reminders: ReminderMemory;
  /** Completed stage visits, for time-in-stage metrics. */
  readonly pastVisits: readonly PastVisit[];
  readonly term: TermMemory;
}

export interface DisputeMemory {
  readonly level: Visit | undefined;
  /** Levels whose escalation email went out, with the recipient and the day. */
  readonly escalations: ReadonlyMap<string, { readonly to: string; readonly on: IsoDate }>;
  readonly levelsSeen: ReadonlySet<string>;
}

/** The failed sends of one notification: how many, the last one, and whether the relay refused for good. */
export interface FailureMemory {
  readonly count: number;
  readonly lastAt: string;
  readonly permanent: boolean;
  readonly error: string;
}

export interface NotificationMemory {
  /** Each recorded intent with the time of its latest line: a recent one without an outcome is in flight. */
  readonly intents: ReadonlyMap<string, string>;
  readonly sent: ReadonlySet<string>;
  readonly failures: ReadonlyMap<string, FailureMemory>;
}

/** The service's memory: a fold of the Activity Log's events. Never changed in place. */
export interface History {
  /** The slot each scheduled job last ran for, as an ISO instant. */
  readonly jobSlots: ReadonlyMap<string, string>;
  readonly proposals: ReadonlyMap<string, ProposalMemory>;
  readonly disputes: ReadonlyMap<string, DisputeMemory>;
  readonly notifications: NotificationMemory;
  /** The keys of logged row issues, so each is logged once. */
  readonly rowIssueKeys: ReadonlySet<string>;
  /** The liaison's notices on since a baseline line: switching one on again takes a new baseline. */
  readonly noticesOn: ReadonlySet<NoticeName>;
  /** Task reminders sent, by `taskReminderKey(task, level, due, owner)`. */
  readonly taskReminders: ReadonlySet<string>;
}

export function emptyHistory(): History {
  return {
    jobSlots: new Map(),
    proposals: new Map(),
    disputes: new Map(),
    notifications: { intents: new Map(), sent: new Set(), failures: new Map() },
    rowIssueKeys: new Set(),
    noticesOn: new Set(),
    taskReminders: new Set(),
  };
}

/** The memory the Activity Log's rows hold: its lines read (`readActivityLog`) and folded. */
export function historyFromLog(rows: readonly SheetRow[]): History {
  return foldEvents(emptyHistory(), readActivityLog(rows));
}

/** The working copy a fold builds: fresh collections, so the memory it started from is never touched. */
interface Draft {
  readonly jobSlots: Map<string, string>;
  readonly proposals: Map<string, ProposalMemory>;
  readonly disputes: Map<string, DisputeMemory>;
  readonly intents: Map<string, string>;
  readonly sent: Set<string>;
  readonly failures: Map<string, FailureMemory>;
  readonly rowIssueKeys: Set<string>;
  readonly noticesOn: Set<NoticeName>;
  readonly taskReminders: Set<string>;
}

/** The memory after `events`, oldest first. `history` is left as it was. */
export function foldEvents(history: History, events: readonly ActivityEvent[]): History {
  if (events.length === 0) return history;
  const n = history.notifications;
  const draft: Draft = {
    jobSlots: new Map(history.jobSlots),
    proposals: new Map(history.proposals),
    disputes: new Map(history.disputes),
    intents: new Map(n.intents),
    sent: new Set(n.sent),
    failures: new Map(n.failures),
    rowIssueKeys: new Set(history.rowIssueKeys),
    noticesOn: new Set(history.noticesOn),
    taskReminders: new Set(history.taskReminders),
  };
  for (const event of events) foldEvent(draft, event);
  return {
    jobSlots: draft.jobSlots,
    proposals: draft.proposals,
    disputes: draft.disputes,
    notifications: { intents: draft.intents, sent: draft.sent, failures: draft.failures },
    rowIssueKeys: draft.rowIssueKeys,
    noticesOn: draft.noticesOn,
    taskReminders: draft.taskReminders,
  };
}

function foldEvent(draft: Draft, event: ActivityEvent): void {
  switch (event.kind) {
    case 'row-issue':
      if (event.key) draft.rowIssueKeys.add(event.key);
      return;
    case 'notification-intent':
      draft.intents.set(event.key, event.at);
      return;
    case 'notification-sent':
    case 'notification-unknown':
      // An unknown outcome may have reached the relay: never resent blindly. Its Message-ID lets
      // receivers drop a copy.
      draft.sent.add(event.key);
      return;
    case 'task-reminder-sent':
      if (event.data?.taskId && event.data.due) {
        const level = event.from as TaskReminderLevel;
        draft.taskReminders.add(taskReminderKey(event.data.taskId, level, event.data.due, event.to));
      }
      return;
    case 'job-run':
      draft.jobSlots.set(event.from, event.detail);
      return;
    case 'notice-baseline':
      // A line with no proposal switches a notice on or off; one with a proposal exempts it.
      if (!event.bucpId && isNoticeName(event.from)) {
        if (event.to === 'off') draft.noticesOn.delete(event.from);
        else draft.noticesOn.add(event.from);
        return;
      }
      break;
    case 'notification-failed':
      draft.failures.set(event.key, {
        count: (draft.failures.get(event.key)?.count ?? 0) + 1,
        lastAt: event.at,
        permanent: event.data?.permanent ?? false,
        error: event.data?.error ?? event.detail,
      });
      return;
    default:
  }
  if (event.disputeId) {
    const before = draft.disputes.get(event.disputeId);
    draft.disputes.set(event.disputeId, foldDispute(before, event));
  } else if (event.bucpId) {
    const before = draft.proposals.get(event.bucpId);
    draft.proposals.set(event.bucpId, foldProposal(before, event));
  }
}

function isNoticeName(value: string): value is NoticeName {
  return value === 'submitted' || value === 'filing';
}

function foldProposal(memory: ProposalMemory | undefined, event: ActivityEvent): ProposalMemory {
  const before = memory ?? { stage: undefined, reminders: NO_REMINDERS, pastVisits: [], term: NO_TERM_MEMORY };
  const stage = foldVisit(before.stage, event, STAGE_KINDS);
  const term = foldTerm(before.term, event);
  if (event.kind === STAGE_KINDS.change || event.kind === STAGE_KINDS.firstSeen) {
    // A new stage visit starts its reminders afresh.
    const ended = before.stage && event.kind === STAGE_KINDS.change;
    const pastVisits = ended
      ? [...before.pastVisits, { stage: before.stage!.value, since: before.stage!.since, until: event.on }]
      : before.pastVisits;
    return { stage, reminders: NO_REMINDERS, pastVisits, term };
  }
  return { ...before, stage, reminders: foldReminder(before.reminders, event), term };
}

function foldTerm(memory: TermMemory, event: ActivityEvent): TermMemory {
  const { end, point, approved } = event.data ?? {};
  const add = (set: ReadonlySet<string>, key: string) => new Set([...set, key]);
  switch (event.kind) {
    case 'reminder-sent':
      if (event.from === 'renewal' && end && point !== undefined) {
        return { ...memory, renewalSent: add(memory.renewalSent, termKey(end, point, event.to)) };
      }
      if (event.from === 'disposition-due' && end) {
        return { ...memory, dispositionDueSent: add(memory.dispositionDueSent, termKey(end, event.to)) };
      }
      if (event.from === 'filing' && approved) {
        const filingLastSent = new Map([...memory.filingLastSent, [termKey(approved, event.to), event.on]]);
        return { ...memory, filingLastSent };
      }
      return memory;
    case 'disposition-escalation-sent':
      return end ? { ...memory, dispositionEscalated: add(memory.dispositionEscalated, end) } : memory;
    case 'liaison-notice-sent':
      return event.from === 'submitted' ? { ...memory, submittedNoticeDone: true } : memory;
    case 'notice-baseline':
      if (event.from === 'submitted') return { ...memory, submittedNoticeDone: true };
      if (event.from === 'filing' && approved)
        return { ...memory, filingBaseline: add(memory.filingBaseline, approved) };
      return memory;
    default:
      return memory;
  }
}

function foldReminder(memory: ReminderMemory, event: ActivityEvent): ReminderMemory {
  if (event.kind === 'escalation-sent') return { ...memory, escalationSent: true };
  if (event.kind !== 'reminder-sent') return memory;
  if (event.from === 'due-soon') {
    return { ...memory, dueSoonSentTo: new Set([...memory.dueSoonSentTo, event.to]) };
  }
  if (event.from === 'stalled') {
    return { ...memory, stalledLastSent: new Map([...memory.stalledLastSent, [event.to, event.on]]) };
  }
  if (event.from === 'next-action' && event.data?.due) {
    const key = nextActionKey(event.data.due, event.to);
    return { ...memory, nextActionLastSent: new Map([...memory.nextActionLastSent, [key, event.on]]) };
  }
  return memory;
}

function foldDispute(memory: DisputeMemory | undefined, event: ActivityEvent): DisputeMemory {
  const before = memory ?? { level: undefined, escalations: new Map(), levelsSeen: new Set<string>() };
  const level = foldVisit(before.level, event, LEVEL_KINDS);
  const levelsSeen =
    level && !before.levelsSeen.has(level.value) ? new Set([...before.levelsSeen, level.value]) : before.levelsSeen;
  const escalations =
    event.kind === 'dispute-escalation-sent'
      ? new Map([...before.escalations, [event.from, { to: event.to, on: event.on }]])
      : before.escalations;
  return { level, escalations, levelsSeen };
}

/** The Detail of a next-action reminder line, for people: the due date and the action. */
export function nextActionDetail(due: IsoDate, action: string | null): string {
  return `due ${due}${action ? `: ${action}` : ''}`;
}
