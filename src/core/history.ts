import { type ActivityEvent, ActivityLineReader } from './activity.ts';
import type { SheetRow } from './cells.ts';
import type { IsoDate } from './dates.ts';
import { LEVEL_KINDS, STAGE_KINDS, type Visit, foldVisit } from './lifecycle.ts';
import { flat } from './text.ts';

/**
 * What has been sent about one proposal during its current stage visit. Flat lists, not Maps and
 * Sets: most proposals remember one or two recipients, and an empty Map alone costs about 200 bytes
 * (a big tracker remembers reminders for tens of thousands of proposals). The lists are remade at
 * their exact length when they grow: an array grown by push keeps room for 17 items, 150 bytes.
 */
export class ReminderMemory {
  escalationSent = false;
  /** Recipients who already got the due-soon reminder this visit. */
  private dueSoon: string[] | undefined;
  /** recipient, day, recipient, day, ...: the last stalled reminder per recipient. */
  private stalled: string[] | undefined;
  /** due|recipient, day, ...: the last next-action reminder per due date and recipient (a new date starts afresh). */
  private nextAction: string[] | undefined;

  dueSoonSentTo(recipient: string): boolean {
    return this.dueSoon?.includes(recipient) ?? false;
  }

  stalledLastSent(recipient: string): IsoDate | undefined {
    return lookup(this.stalled, recipient);
  }

  nextActionLastSent(due: IsoDate, recipient: string): IsoDate | undefined {
    return lookup(this.nextAction, nextActionKey(due, recipient));
  }

  recordDueSoon(recipient: string): void {
    if (!this.dueSoonSentTo(recipient)) this.dueSoon = this.dueSoon ? [...this.dueSoon, recipient] : [recipient];
  }

  recordStalled(recipient: string, on: IsoDate): void {
    this.stalled = remember(this.stalled, recipient, on);
  }

  recordNextAction(due: IsoDate, recipient: string, on: IsoDate): void {
    this.nextAction = remember(this.nextAction, nextActionKey(due, recipient), on);
  }
}

/** Next-action reminders are remembered per due date and recipient: a new due date starts afresh. */
function nextActionKey(due: IsoDate, recipient: string): string {
  return flat`${due}|${recipient}`;
}

function lookup(pairs: readonly string[] | undefined, key: string): string | undefined {
  if (!pairs) return undefined;
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return pairs[i + 1];
  return undefined;
}

function remember(pairs: string[] | undefined, key: string, value: string): string[] {
  if (!pairs) return [key, value];
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === key) {
      pairs[i + 1] = value;
      return pairs;
    }
  }
  return [...pairs, key, value];
}

export interface ProposalMemory {
  stage: Visit | undefined;
  /** Created with the first reminder of a visit: most proposals are never reminded. */
  reminders: ReminderMemory | undefined;
  /** Completed stage visits, for time-in-stage metrics; created with the first. */
  pastVisits: { stage: string; since: IsoDate; until: IsoDate }[] | undefined;
}

export interface DisputeMemory {
  level: Visit | undefined;
  /** Levels whose escalation email went out, with the recipient and the day. */
  readonly escalations: Map<string, { to: string; on: IsoDate }>;
  readonly levelsSeen: Set<string>;
}

/** The failed sends of one notification: how many, the last one, and whether the relay refused for good. */
export interface FailureMemory {
  readonly count: number;
  readonly lastAt: string;
  readonly permanent: boolean;
  readonly error: string;
}

const PERMANENT = /^permanent: /;

export interface NotificationMemory {
  /** Each recorded intent with the time of its latest line: a recent one without an outcome is in flight. */
  readonly intents: Map<string, string>;
  readonly sent: Set<string>;
  readonly failures: Map<string, FailureMemory>;
}

export interface History {
  /** The slot each scheduled job last ran for, as an ISO instant. */
  readonly jobSlots: Map<string, string>;
  readonly proposals: Map<string, ProposalMemory>;
  readonly disputes: Map<string, DisputeMemory>;
  readonly notifications: NotificationMemory;
  /** The keys of logged row issues, so each is logged once. No other kind's keys are kept: a big log has millions. */
  readonly rowIssueKeys: Set<string>;
}

const NEXT_ACTION_DUE = /^due (\d{4}-\d{2}-\d{2})/;

export function emptyHistory(): History {
  return {
    jobSlots: new Map(),
    proposals: new Map(),
    disputes: new Map(),
    notifications: { intents: new Map(), sent: new Set(), failures: new Map() },
    rowIssueKeys: new Set(),
  };
}

/** The memory an Activity Log's lines add up to, oldest first. */
export function historyFromLog(lines: readonly SheetRow[]): History {
  const reader = new ActivityLineReader();
  const history = emptyHistory();
  for (const line of lines) {
    const event = reader.read(line);
    if (event) applyEvent(history, event);
  }
  return history;
}

export function applyEvent(history: History, event: ActivityEvent): void {
  const n = history.notifications;
  switch (event.kind) {
    case 'row-issue':
      if (event.key) history.rowIssueKeys.add(event.key);
      return;
    case 'notification-intent':
      n.intents.set(event.key, event.at);
      return;
    case 'notification-sent':
      n.sent.add(event.key);
      return;
    case 'notification-unknown':
      // The relay may have taken it: never resent blindly. Its Message-ID lets receivers drop a copy.
      n.sent.add(event.key);
      return;
    case 'job-run':
      history.jobSlots.set(event.from, event.detail);
      return;
    case 'notification-failed':
      n.failures.set(event.key, {
        count: (n.failures.get(event.key)?.count ?? 0) + 1,
        lastAt: event.at,
        permanent: PERMANENT.test(event.detail),
        error: event.detail.replace(/^(permanent|temporary): /, ''),
      });
      return;
    default:
  }
  if (event.disputeId) {
    applyDisputeEvent(history, event);
    return;
  }
  if (!event.bucpId) return;
  let memory = history.proposals.get(event.bucpId);
  if (!memory) {
    memory = { stage: undefined, reminders: undefined, pastVisits: undefined };
    history.proposals.set(event.bucpId, memory);
  }
  const before = memory.stage;
  memory.stage = foldVisit(memory.stage, event, STAGE_KINDS);
  if (event.kind === STAGE_KINDS.change || event.kind === STAGE_KINDS.firstSeen) {
    if (before && event.kind === STAGE_KINDS.change) {
      const visit = { stage: before.value, since: before.since, until: event.on };
      memory.pastVisits = memory.pastVisits ? [...memory.pastVisits, visit] : [visit];
    }
    memory.reminders = undefined;
    return;
  }
  const r = (memory.reminders ??= new ReminderMemory());
  if (event.kind === 'reminder-sent') {
    if (event.from === 'due-soon') r.recordDueSoon(event.to);
    else if (event.from === 'stalled') r.recordStalled(event.to, event.on);
    else if (event.from === 'next-action') {
      const due = NEXT_ACTION_DUE.exec(event.detail)?.[1];
      if (due) r.recordNextAction(due, event.to, event.on);
    }
  } else if (event.kind === 'escalation-sent') {
    r.escalationSent = true;
  }
}

function applyDisputeEvent(history: History, event: ActivityEvent): void {
  let memory = history.disputes.get(event.disputeId);
  if (!memory) {
    memory = { level: undefined, escalations: new Map(), levelsSeen: new Set() };
    history.disputes.set(event.disputeId, memory);
  }
  memory.level = foldVisit(memory.level, event, LEVEL_KINDS);
  if (memory.level) memory.levelsSeen.add(memory.level.value);
  if (event.kind === 'dispute-escalation-sent') memory.escalations.set(event.from, { to: event.to, on: event.on });
}

export function nextActionDetail(due: IsoDate, action: string | null): string {
  return flat`due ${due}${action ? `: ${action}` : ''}`;
}

/** The Activity Log detail of a failed send; its prefix is how the log remembers a permanent failure. */
export function failureDetail(error: string, permanent: boolean): string {
  return `${permanent ? 'permanent' : 'temporary'}: ${error}`;
}
