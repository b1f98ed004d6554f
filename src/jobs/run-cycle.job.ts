import { randomUUID } from 'node:crypto';
import { type ActivityEvent, stampAt } from '../core/activity.ts';
import type { Config } from '../core/config.ts';
import {
  type CyclePlan,
  type ParsedTracker,
  finishCycle,
  parseTracker,
  planCycle,
  rowIssueKey,
} from '../core/cycle.ts';
import type { ChatKind, PlannedChatPost } from '../core/chat.ts';
import { type ChatSendRecord, chatIntentLine, chatOutcomeEvents, chatSendRecordOf } from '../core/chat-record.ts';
import { disputeStatus } from '../core/evaluate.ts';
import { type History, foldEvents } from '../core/history.ts';
import type { Metrics } from '../core/metrics.ts';
import type { NotificationKind, PlannedNotification } from '../core/notifications.ts';
import type {
  ChatSender,
  Mailer,
  RestrictedStore,
  SendOutcome,
  StoreCapacity,
  TrackerStore,
  WriteResult,
} from '../core/ports.ts';
import { gateRetries, holdInFlight } from '../core/retries.ts';
import type { JobName } from '../core/schedule.ts';
import type { RowIssue } from '../core/schema.ts';
import { TABS } from '../core/contract.ts';
import { type SendRecord, outcomeEvents, sendRecordOf } from '../core/send-record.ts';
import { type ProposalStanding, proposalStanding } from '../core/system-cells.ts';
import type { Logger } from '../log.ts';
import type { MailTemplates, RenderedMessage } from '../mail/render.ts';

export interface CycleDeps {
  readonly config: Config;
  readonly store: TrackerStore;
  readonly restricted: RestrictedStore;
  readonly mailer: Mailer;
  readonly templates: MailTemplates;
  readonly logger: Logger;
  /** A sender for each configured chat channel, by channel name (`createChatSenders`). */
  readonly chat?: ReadonlyMap<string, ChatSender>;
}

/**
 * What a cycle may do beyond syncing (system cells, the Activity Log and the Issues tab always happen):
 * the scheduled jobs other than sync, each of which a cycle runs when it is due.
 */
export type CyclePart = Exclude<JobName, 'sync'>;
export const ALL_PARTS: ReadonlySet<CyclePart> = new Set([
  'reminders',
  'dispute-escalation',
  'metrics',
  'manager-digest',
]);

/** The part of a cycle that sends each kind of message. */
const PART_OF: Record<NotificationKind, CyclePart> = {
  reminder: 'reminders',
  escalation: 'reminders',
  'next-action': 'reminders',
  'disposition-escalation': 'reminders',
  'liaison-notice': 'reminders',
  'dispute-escalation': 'dispute-escalation',
  'manager-digest': 'manager-digest',
};

/** The part of a cycle that posts each kind of chat post: the daily board goes with the daily reminders. */
const CHAT_PART_OF: Record<ChatKind, CyclePart> = {
  escalation: 'reminders',
  'daily-board': 'reminders',
  'dispute-escalation': 'dispute-escalation',
  'manager-digest': 'manager-digest',
};

export interface CycleOptions {
  readonly now: Date;
  /** Plan everything, write and send nothing. */
  readonly dryRun?: boolean;
  /** The parts to run; all of them when left out (a one-shot run). */
  readonly parts?: ReadonlySet<CyclePart>;
  /** Scheduled slots this cycle stands for, recorded with its results so a restart does not redo them. */
  readonly jobRuns?: readonly { job: string; slot: Date }[];
  /**
   * Hand the messages over instead of sending them (an n8n Send Email node sends them, and
   * `recordOutcomes` records what happened). Each handed-over message is claimed by its intent for
   * `claimMinutes`, so a second execution in that time does not plan it again.
   */
  readonly handoff?: { readonly claimMinutes: number };
  /**
   * Only the emails, or only the chat posts, of the parts that run: an n8n workflow that sends one
   * kind hands over, and so claims, nothing of the other. Both when left out.
   */
  readonly only?: 'mail' | 'chat';
}

/** Who a planned message goes to, what it is about, and the key it is recorded under. */
export interface MessageAddress {
  readonly kind: NotificationKind;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  readonly idempotencyKey: string;
}

export interface NotificationReport extends MessageAddress {
  readonly subject: string;
  readonly sent: boolean;
  /** `held`: not tried, because the mailer is stopped (see `Mailer.recheck`); it goes out in a later cycle. */
  readonly status: SendOutcome['status'] | 'planned' | 'deferred' | 'given-up' | 'handed-off' | 'in-flight' | 'held';
  readonly error?: string;
}

/** What happened to one chat post. Names the channel, never its URL. */
export interface ChatPostReport {
  readonly kind: ChatKind;
  readonly channel: string;
  readonly idempotencyKey: string;
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  readonly title: string;
  readonly sent: boolean;
  readonly status: NotificationReport['status'];
  readonly error?: string;
}

/** A chat post handed over for another sender (n8n's HTTP Request node), with its ready body and its record. */
export interface ChatHandoffPost extends ChatSendRecord {
  readonly service: PlannedChatPost['service'];
  readonly body: unknown;
}

/**
 * A message handed over for another sender, with everything needed to send it and to record its
 * outcome: its record is what `recordOutcomes` records, without planning again.
 */
export interface HandoffMessage extends SendRecord, RenderedMessage {}

/** The JSON report of `bucp run --once --json`. Holds nothing from the restricted store. */
export interface CycleReport {
  readonly runId: string;
  readonly now: string;
  readonly today: string;
  /** Nothing is sent on weekends and holidays; syncing and metrics still run. */
  readonly businessDay: boolean;
  readonly dryRun: boolean;
  readonly ok: boolean;
  readonly proposals: Metrics['proposals'];
  readonly findings: readonly ProposalStanding[];
  readonly disputes: {
    disputeId: string;
    bucpId: string | null;
    level: string;
    businessDaysAtLevel: number;
    status: string;
  }[];
  readonly notifications: NotificationReport[];
  /** The messages handed over, in a handoff run; empty otherwise. */
  readonly handoff: HandoffMessage[];
  /** What happened to each chat post the cycle planned. */
  readonly chat: ChatPostReport[];
  /** The chat posts handed over, in a handoff run; empty otherwise. */
  readonly chatHandoff: ChatHandoffPost[];
  readonly rowIssues: RowIssue[];
  readonly metrics: Metrics;
  readonly writes: { cellsWritten: number; rowsAppended: number; missingIds: string[] };
  readonly failures: string[];
  /** Messages on record as intended but never sent, and those whose last try failed, after this cycle. */
  readonly pendingNotifications: number;
  readonly failedNotifications: number;
}

/** A tracker whose tabs or headers are not ready (`bucp init` repairs them): nothing is written to it. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
  readonly problems: readonly string[];
  readonly capacity: StoreCapacity | undefined;

  constructor(problems: readonly string[], capacity: StoreCapacity | undefined, location: string) {
    super(`The tracker at ${location} is not ready:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
    this.capacity = capacity;
  }
}

/**
 * One full cycle, top to bottom: read and parse the tracker (unless the caller already did), plan in
 * the core, choose what is due, record the intents, send, then write the system columns, the Activity
 * Log, the Issues tab and the summary tabs. A cycle with nothing new writes nothing.
 */
export async function runCycle(given: CycleDeps, options: CycleOptions, tracker?: ParsedTracker): Promise<CycleReport> {
  // Every line this run logs carries its run ID, so one run can be followed through the logs.
  const runId = randomUUID().slice(0, 8);
  const deps: CycleDeps = { ...given, logger: given.logger.child({ runId }) };
  const { config, store, logger } = deps;
  const started = Date.now();

  const parsed = tracker ?? (await readTracker(deps, options.now));
  const plan = await planTracker(deps, parsed, options.now);
  const chosen = chooseSends(plan, options, deps.templates);
  logIssues(logger, plan.events, chosen.issues);
  const stamp = stampAt(plan.timestamp);
  const writes: WriteResult[] = [];

  // Intents go on record before anything is sent: a crash after this point leaves a trail to finish from.
  const intentsFirst = !options.dryRun && chosen.send.length + chosen.chat.length > 0;
  if (intentsFirst) {
    writes.push(
      await store.write({ cells: [], appendActivity: [...plan.events, ...intentLines(plan, chosen, options, stamp)] }),
    );
  }
  const sent = options.dryRun
    ? planOnly(chosen)
    : options.handoff
      ? handOver(chosen, plan, deps.templates)
      : await sendAll(deps, chosen, plan, stamp);
  const history = foldEvents(plan.history, sent.events);

  const outcome = finishCycle(plan, history, config);
  const jobRuns = (options.jobRuns ?? []).map(({ job, slot }) => stamp(jobRunLine(plan, job, slot)));
  if (!options.dryRun) {
    writes.push(
      await store.write({
        cells: outcome.cells,
        appendActivity: [...(intentsFirst ? [] : plan.events), ...sent.events, ...jobRuns],
        issues: [...chosen.issues, ...sent.issues],
        summaries: [...(chosen.parts.has('metrics') ? outcome.summaries : []), ...outcome.references],
      }),
    );
  }

  const result = cycleReport(runId, plan, history, chosen, sent, tally(logger, writes), options);
  logger.info(
    {
      job: 'cycle',
      durationMs: Date.now() - started,
      today: result.today,
      dryRun: result.dryRun,
      proposals: result.proposals,
      rowIssues: result.rowIssues.length,
      notificationsPlanned: chosen.send.length,
      notificationsSent: result.notifications.filter((r) => r.sent).length,
      chatPostsPlanned: chosen.chat.length,
      chatPostsSent: result.chat.filter((r) => r.sent).length,
      cellsWritten: result.writes.cellsWritten,
      rowsAppended: result.writes.rowsAppended,
    },
    'cycle finished',
  );
  return result;
}

/** Reads the tracker and parses it; a tracker whose layout is not ready stops here. */
export async function readTracker(deps: Pick<CycleDeps, 'config' | 'store'>, now: Date): Promise<ParsedTracker> {
  const { config, store } = deps;
  const snapshot = await store.read();
  if (snapshot.layoutProblems.length > 0) {
    throw new LayoutError(snapshot.layoutProblems, snapshot.capacity, store.describe());
  }
  return parseTracker(snapshot, { config, now });
}

/** Plans a parsed tracker: the restricted store says which proposals have a record, the core decides. */
export async function planTracker(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted'>,
  tracker: ParsedTracker,
  now: Date,
): Promise<CyclePlan> {
  const { config, store, restricted } = deps;
  const restrictedIds = await restricted.recordIds();
  return planCycle(tracker, restrictedIds, { config, now, link: (t, id, r) => store.rowLink(t, id, r) });
}

/** Reads and plans, writing and sending nothing: what the read-only jobs need. */
export async function readAndPlan(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted'>,
  options: { readonly now: Date },
): Promise<CyclePlan> {
  return planTracker(deps, await readTracker(deps, options.now), options.now);
}

/** A message to send, with the subject its intent is recorded under. */
interface Queued {
  readonly notification: PlannedNotification;
  readonly subject: string;
}

/** What a cycle sends now, what it holds back, and the issues the holding back raises. */
interface Chosen {
  readonly parts: ReadonlySet<CyclePart>;
  readonly send: readonly Queued[];
  /** Reports of the messages held back: claimed by another execution, waiting out a backoff, given up. */
  readonly heldBack: readonly NotificationReport[];
  /** The chat posts to make now, and those held back, chosen by the same rules as the messages. */
  readonly chat: readonly PlannedChatPost[];
  readonly chatHeldBack: readonly ChatPostReport[];
  /** The plan's row issues and those of held-back messages: the Issues tab. */
  readonly issues: readonly RowIssue[];
}

/** The messages of the parts that run, less those waiting out a retry backoff or claimed by another execution. */
function chooseSends(plan: CyclePlan, options: CycleOptions, templates: MailTemplates): Chosen {
  const parts = options.parts ?? ALL_PARTS;
  const wanted = options.only === 'chat' ? [] : plan.notifications.filter((n) => parts.has(PART_OF[n.kind]));
  const gate = gateRetries(wanted, plan.history, options.now);
  const held = options.handoff
    ? holdInFlight(gate.send, plan.history, options.now, options.handoff.claimMinutes)
    : { send: gate.send, inFlight: [] };
  const heldBack = [
    ...held.inFlight.map((n) => report(n, templates.subject(n), 'in-flight')),
    ...gate.deferred.map((n) => report(n, templates.subject(n), 'deferred')),
    ...gate.givenUp.map((n) => report(n, templates.subject(n), 'given-up')),
  ];
  const wantedPosts = options.only === 'mail' ? [] : plan.chatPosts.filter((p) => parts.has(CHAT_PART_OF[p.kind]));
  const chatGate = gateRetries(wantedPosts, plan.history, options.now);
  const chatHeld = options.handoff
    ? holdInFlight(chatGate.send, plan.history, options.now, options.handoff.claimMinutes)
    : { send: chatGate.send, inFlight: [] };
  const chatHeldBack = [
    ...chatHeld.inFlight.map((p) => chatReport(p, 'in-flight')),
    ...chatGate.deferred.map((p) => chatReport(p, 'deferred')),
    ...chatGate.givenUp.map((p) => chatReport(p, 'given-up')),
  ];
  return {
    parts,
    send: held.send.map((notification) => ({ notification, subject: templates.subject(notification) })),
    heldBack,
    chat: chatHeld.send,
    chatHeldBack,
    issues: [...plan.issues, ...gate.issues, ...chatGate.issues],
  };
}

/**
 * An intent line for each message not yet on record. A handoff claims every message it hands over,
 * again where an earlier claim expired.
 */
function intentLines(
  plan: CyclePlan,
  chosen: Chosen,
  options: CycleOptions,
  stamp: ReturnType<typeof stampAt>,
): ActivityEvent[] {
  const fresh = (key: string) => options.handoff || !plan.history.notifications.intents.has(key);
  const mail = chosen.send
    .filter(({ notification }) => fresh(notification.key))
    .map(({ notification, subject }) =>
      stamp({
        on: plan.today,
        bucpId: notification.bucpIds.length === 1 ? notification.bucpIds[0]! : '',
        disputeId: notification.disputeId ?? '',
        kind: 'notification-intent',
        from: notification.kind,
        to: [...notification.to, ...notification.cc].join(', '),
        detail: subject,
        key: notification.key,
      }),
    );
  const chat = chosen.chat
    .filter((p) => fresh(p.key))
    .map((p) => stamp(chatIntentLine(chatSendRecordOf(p, plan.today))));
  return [...mail, ...chat];
}

/** What the sends did: the Activity Log lines of their outcomes, and a report of each message. */
interface Sent {
  readonly events: readonly ActivityEvent[];
  readonly reports: readonly NotificationReport[];
  readonly handoff: readonly HandoffMessage[];
  readonly chatReports: readonly ChatPostReport[];
  readonly chatHandoff: readonly ChatHandoffPost[];
  /** Issues the sends raised: chat posts refused for good, with what to fix. */
  readonly issues: readonly RowIssue[];
  readonly failures: readonly string[];
}

/** Renders and sends each message in turn, and records its outcome. */
async function sendAll(
  deps: CycleDeps,
  chosen: Chosen,
  plan: CyclePlan,
  stamp: ReturnType<typeof stampAt>,
): Promise<Sent> {
  const { mailer, templates, logger } = deps;
  const events: ActivityEvent[] = [];
  const reports: NotificationReport[] = [];
  const failures: string[] = [];
  let stopped: string | null = null;
  let held = 0;
  for (const { notification, subject } of chosen.send) {
    const { key, kind, to, cc } = notification;
    // A stopped mailer (its record of what it sent cannot be written) would refuse the message, and
    // a refusal would count as a failed try: the message is held instead, its intent left pending,
    // and goes out in the first cycle after the mailer can send again.
    stopped ??= (await mailer.recheck?.()) ?? null;
    if (stopped) {
      held += 1;
      reports.push(report(notification, subject, 'held', stopped));
      continue;
    }
    const message = templates.render(notification, subject);
    const outcome = await mailer.send({ key, kind, to, cc, ...message });
    events.push(...outcomeEvents(sendRecordOf(notification, message.subject, plan.today), outcome).map(stamp));
    const log = { key, kind, to };
    if (outcome.status === 'sent') {
      if (outcome.rejected?.length)
        logger.warn({ ...log, rejected: outcome.rejected }, 'sent, but some recipients were refused');
      logger.info({ ...log, duplicate: outcome.duplicate ?? false }, 'notification sent');
      // Sent and recorded as sent in the Activity Log: only the mailer's own record is missing.
      if (outcome.recordError)
        logger.error({ ...log, error: outcome.recordError }, 'sent, but the mailer could not record it');
      reports.push(report(notification, message.subject, 'sent'));
    } else {
      logger.error({ ...log, status: outcome.status, error: outcome.error }, 'notification not sent');
      reports.push(report(notification, message.subject, outcome.status, outcome.error));
      failures.push(`${key}: ${outcome.error}`);
    }
  }
  if (stopped) {
    logger.error({ held, error: stopped }, 'mail stopped: messages held until the mailer can send again');
    failures.push(`${held} ${held === 1 ? 'message' : 'messages'} held: ${stopped}`);
  }
  const posted = await postAll(deps, chosen, plan, stamp);
  return {
    events: [...events, ...posted.events],
    reports,
    handoff: [],
    chatReports: posted.reports,
    chatHandoff: [],
    issues: posted.issues,
    failures: [...failures, ...posted.failures],
  };
}

/** Posts each chat post to its channel in turn, and records its outcome as a message's is recorded. */
async function postAll(
  deps: CycleDeps,
  chosen: Chosen,
  plan: CyclePlan,
  stamp: ReturnType<typeof stampAt>,
): Promise<Pick<Sent, 'events' | 'failures' | 'issues'> & { reports: ChatPostReport[] }> {
  const { logger } = deps;
  const events: ActivityEvent[] = [];
  const reports: ChatPostReport[] = [];
  const failures: string[] = [];
  const issues: RowIssue[] = [];
  for (const post of chosen.chat) {
    const { key, kind, channel } = post;
    const sender = deps.chat?.get(channel);
    const outcome: SendOutcome = sender
      ? await sender.post({ key, kind, body: post.body })
      : {
          status: 'failed',
          error: `no sender for chat channel ${channel}: its webhook was not set up`,
          permanent: false,
        };
    events.push(...chatOutcomeEvents(chatSendRecordOf(post, plan.today), outcome).map(stamp));
    const log = { key, kind, channel };
    if (outcome.status === 'sent') {
      logger.info(log, 'chat post sent');
      reports.push(chatReport(post, 'sent'));
      continue;
    }
    logger.error({ ...log, status: outcome.status, error: outcome.error }, 'chat post not sent');
    reports.push(chatReport(post, outcome.status, outcome.error));
    failures.push(`${key}: ${outcome.error}`);
    if (outcome.status === 'failed' && outcome.permanent) issues.push(chatIssue(post, outcome.error));
  }
  return { events, reports, failures, issues };
}

/** The Issues tab line of a post its channel refused for good: what to fix comes from the sender. */
function chatIssue(post: PlannedChatPost, error: string): RowIssue {
  return {
    tab: post.disputeId ? TABS.disputes : TABS.proposals,
    row: 0,
    id: post.disputeId ?? (post.bucpIds.length === 1 ? post.bucpIds[0]! : null),
    column: 'Chat',
    severity: 'error',
    message: `The ${post.kind} post to chat channel ${post.channel} was refused: ${error}`,
  };
}

/** A dry run: what would be sent, nothing sent. */
function planOnly(chosen: Chosen): Sent {
  const reports = chosen.send.map(({ notification, subject }) => report(notification, subject, 'planned'));
  const chatReports = chosen.chat.map((p) => chatReport(p, 'planned'));
  return { events: [], reports, handoff: [], chatReports, chatHandoff: [], issues: [], failures: [] };
}

/** Renders each message for another sender; their outcomes are recorded later (`recordOutcomes`). */
function handOver(chosen: Chosen, plan: CyclePlan, templates: MailTemplates): Sent {
  const handoff = chosen.send.map(({ notification, subject }) => {
    const message = templates.render(notification, subject);
    return { ...sendRecordOf(notification, message.subject, plan.today), ...message };
  });
  const reports = handoff.map((m, i) => report(chosen.send[i]!.notification, m.subject, 'handed-off'));
  const chatHandoff = chosen.chat.map((p) => ({
    ...chatSendRecordOf(p, plan.today),
    service: p.service,
    body: p.body,
  }));
  const chatReports = chosen.chat.map((p) => chatReport(p, 'handed-off'));
  return { events: [], reports, handoff, chatReports, chatHandoff, issues: [], failures: [] };
}

function jobRunLine(plan: CyclePlan, job: string, slot: Date): Omit<ActivityEvent, 'at'> {
  return {
    on: plan.today,
    bucpId: '',
    disputeId: '',
    kind: 'job-run',
    from: job,
    to: '',
    detail: slot.toISOString(),
    key: `job-run:${job}:${slot.toISOString()}`,
  };
}

/** What a cycle's write calls added up to, with what they saw logged. */
function tally(logger: Logger, results: readonly WriteResult[]): CycleReport['writes'] {
  const writes = { cellsWritten: 0, rowsAppended: 0, missingIds: [] as string[] };
  for (const result of results) {
    if (result.retriedAfterConcurrentEdit > 0) {
      logger.info(
        { times: result.retriedAfterConcurrentEdit },
        'staff changed the tracker during the write; reapplied',
      );
    }
    if (result.missingIds.length > 0) {
      logger.info({ ids: result.missingIds }, 'rows deleted during the cycle were not written');
    }
    writes.cellsWritten += result.cellsWritten;
    writes.rowsAppended += result.rowsAppended;
    writes.missingIds.push(...result.missingIds);
  }
  return writes;
}

function cycleReport(
  runId: string,
  plan: CyclePlan,
  history: History,
  chosen: Chosen,
  sent: Sent,
  writes: CycleReport['writes'],
  options: CycleOptions,
): CycleReport {
  return {
    runId,
    now: options.now.toISOString(),
    today: plan.today,
    businessDay: plan.calendar.isBusinessDay(plan.today),
    dryRun: options.dryRun ?? false,
    ok: sent.failures.length === 0,
    proposals: plan.metrics.proposals,
    findings: plan.evaluation.proposals.map(proposalStanding),
    disputes: plan.evaluation.disputes.map((d) => ({
      disputeId: d.dispute.disputeId,
      bucpId: d.dispute.bucpId,
      level: d.dispute.level,
      businessDaysAtLevel: d.businessDaysAtLevel,
      status: disputeStatus(d, history),
    })),
    notifications: [...sent.reports, ...chosen.heldBack],
    handoff: [...sent.handoff],
    chat: [...sent.chatReports, ...chosen.chatHeldBack],
    chatHandoff: [...sent.chatHandoff],
    rowIssues: [...chosen.issues, ...sent.issues],
    metrics: plan.metrics,
    writes,
    failures: [...sent.failures],
    ...notificationBacklog(history),
  };
}

function notificationBacklog(history: History): { pendingNotifications: number; failedNotifications: number } {
  const { intents, sent, failures } = history.notifications;
  return {
    pendingNotifications: [...intents.keys()].filter((k) => !sent.has(k) && !failures.has(k)).length,
    failedNotifications: [...failures.keys()].filter((k) => !sent.has(k)).length,
  };
}

function addressOf(n: PlannedNotification): MessageAddress {
  return { kind: n.kind, to: n.to, cc: n.cc, bucpIds: n.bucpIds, disputeId: n.disputeId, idempotencyKey: n.key };
}

function report(
  n: PlannedNotification,
  subject: string,
  status: NotificationReport['status'],
  error?: string,
): NotificationReport {
  return { ...addressOf(n), subject, sent: status === 'sent', status, ...(error ? { error } : {}) };
}

function chatReport(post: PlannedChatPost, status: ChatPostReport['status'], error?: string): ChatPostReport {
  return {
    kind: post.kind,
    channel: post.channel,
    idempotencyKey: post.key,
    bucpIds: post.bucpIds,
    disputeId: post.disputeId,
    title: post.title,
    sent: status === 'sent',
    status,
    ...(error ? { error } : {}),
  };
}

function logIssues(logger: Logger, events: readonly ActivityEvent[], issues: readonly RowIssue[]): void {
  const fresh = new Set(events.filter((e) => e.kind === 'row-issue').map((e) => e.key));
  for (const issue of issues) {
    if (!fresh.has(rowIssueKey(issue))) continue;
    logger.warn(
      { tab: issue.tab, row: issue.row, id: issue.id, column: issue.column, severity: issue.severity },
      `row issue: ${issue.message}`,
    );
  }
  if (issues.length > 0) {
    logger.info(
      {
        errors: issues.filter((i) => i.severity === 'error').length,
        warnings: issues.filter((i) => i.severity === 'warning').length,
      },
      'row issues in the tracker (see its Issues tab)',
    );
  }
}
