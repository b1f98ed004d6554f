import { randomUUID } from 'node:crypto';
import { type ActivityEvent, stampAt } from '../core/activity.ts';
import type { Config } from '../core/config.ts';
import {
  type CyclePlan,
  type ParsedTracker,
  type SettleBasis,
  finishCycle,
  parseTracker,
  planParsed,
  rowIssueKey,
  settleBasis,
} from '../core/cycle.ts';
import type { ProposalStanding } from '../core/system-cells.ts';
import { disputeStatus } from '../core/evaluate.ts';
import { type History, applyEvent, failureDetail } from '../core/history.ts';
import { gateRetries, holdInFlight } from '../core/retries.ts';
import type { Metrics } from '../core/metrics.ts';
import type { PlannedNotification } from '../core/notifications.ts';
import type { Mailer, RestrictedStore, SendOutcome, TrackerStore, WritePlan, WriteResult } from '../core/ports.ts';
import type { RowIssue } from '../core/schema.ts';
import type { Logger } from '../log.ts';
import { collectDropped } from './memory.ts';
import type { MailTemplates, RenderedMessage } from '../mail/render.ts';

export interface CycleDeps {
  readonly config: Config;
  readonly store: TrackerStore;
  readonly restricted: RestrictedStore;
  readonly mailer: Mailer;
  readonly templates: MailTemplates;
  readonly logger: Logger;
}

/** What a cycle may do beyond syncing (system cells, the Activity Log and the Issues tab always happen). */
export type CyclePart = 'reminders' | 'disputes' | 'metrics' | 'manager-digest';
export const ALL_PARTS: ReadonlySet<CyclePart> = new Set(['reminders', 'disputes', 'metrics', 'manager-digest']);

const PART_OF: Record<PlannedNotification['kind'], CyclePart> = {
  reminder: 'reminders',
  escalation: 'reminders',
  'next-action': 'reminders',
  'dispute-escalation': 'disputes',
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
  /** Decides the parts and job runs from the memory just read (the scheduler's catch-up). */
  readonly select?: (history: History) => {
    parts: ReadonlySet<CyclePart>;
    jobRuns: readonly { job: string; slot: Date }[];
  };
}

/** Who a planned message goes to, what it is about, and the key it is recorded under. */
export interface MessageAddress {
  readonly kind: PlannedNotification['kind'];
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  readonly idempotencyKey: string;
}

export interface NotificationReport extends MessageAddress {
  readonly subject: string;
  readonly sent: boolean;
  readonly status: SendOutcome['status'] | 'planned' | 'deferred' | 'given-up' | 'handed-off' | 'in-flight';
  readonly error?: string;
}

/** A message handed over for another sender, with everything needed to send it and record the outcome. */
export interface HandoffMessage extends MessageAddress, RenderedMessage {}

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
  readonly rowIssues: RowIssue[];
  readonly metrics: Metrics;
  readonly writes: { cellsWritten: number; rowsAppended: number; missingIds: string[] };
  readonly failures: string[];
  /** Messages on record as intended but never sent, and those whose last try failed, after this cycle. */
  readonly pendingNotifications: number;
  readonly failedNotifications: number;
}

export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

/**
 * One full cycle: read, decide in the core, record intents, send, then write system columns,
 * the Activity Log, the Issues tab and the summary tabs. A cycle with nothing new writes nothing.
 */
export async function runCycle(given: CycleDeps, options: CycleOptions): Promise<CycleReport> {
  // Every line this run logs carries its run ID, so one run can be followed through the logs.
  const runId = randomUUID().slice(0, 8);
  const deps: CycleDeps = { ...given, logger: given.logger.child({ runId }) };
  const { store, logger } = deps;
  const started = Date.now();
  const { writes, tally } = writeTally(logger);
  // Only what the write and the report need comes out of here: the plan (every parsed row, the memory)
  // is released before the final write, and the planned messages once they are sent.
  const settled = await sendAndSettle(deps, options, tally);
  // The sent messages and the memory are let go: only the final write and the report are left.
  collectDropped();
  if (settled.write) tally(await store.write(settled.write));
  const result: CycleReport = { runId, ...settled.report, writes };
  logger.info(
    {
      job: 'cycle',
      durationMs: Date.now() - started,
      today: result.today,
      dryRun: result.dryRun,
      proposals: result.proposals,
      rowIssues: result.rowIssues.length,
      notificationsPlanned: settled.planned,
      notificationsSent: result.notifications.filter((r) => r.sent).length,
      cellsWritten: writes.cellsWritten,
      rowsAppended: writes.rowsAppended,
    },
    'cycle finished',
  );
  return result;
}

/** A cycle once its messages are sent: its final write (none in a dry run) and its report. */
interface Settled {
  readonly write: WritePlan | null;
  readonly report: Omit<CycleReport, 'runId' | 'writes'>;
  /** How many messages were planned to go out this cycle. */
  readonly planned: number;
}

/** Plans and sends, then works out the final write and the report, and lets the plan go. */
async function sendAndSettle(
  deps: CycleDeps,
  options: CycleOptions,
  tally: (result: WriteResult) => void,
): Promise<Settled> {
  const sent = await planAndSend(deps, options, tally);
  const { basis, reports, handoff, failures, stamp } = sent;
  const outcome = finishCycle(basis, deps.config);
  const jobRuns = sent.jobRuns.map(({ job, slot }) =>
    stamp({
      on: basis.today,
      bucpId: '',
      disputeId: '',
      kind: 'job-run',
      from: job,
      to: '',
      detail: slot.toISOString(),
      key: `job-run:${job}:${slot.toISOString()}`,
    }),
  );
  const dryRun = options.dryRun ?? false;
  const findings: ProposalStanding[] = [];
  for (const { standing } of basis.proposals) if (standing) findings.push(standing);
  return {
    write: dryRun
      ? null
      : {
          cells: outcome.cells,
          appendActivity: [...sent.pending, ...jobRuns],
          issues: basis.issues,
          ...(sent.parts.has('metrics') ? { summaries: outcome.summaries } : {}),
        },
    report: {
      now: options.now.toISOString(),
      today: basis.today,
      businessDay: basis.calendar.isBusinessDay(basis.today),
      dryRun,
      ok: failures.length === 0,
      proposals: outcome.metrics.proposals,
      findings,
      disputes: basis.disputeFindings.map((d) => ({
        disputeId: d.dispute.disputeId,
        bucpId: d.dispute.bucpId,
        level: d.dispute.level,
        businessDaysAtLevel: d.businessDaysAtLevel,
        status: disputeStatus(d, basis.history),
      })),
      notifications: reports,
      handoff,
      rowIssues: [...basis.issues],
      metrics: outcome.metrics,
      failures,
      ...notificationBacklog(basis.history),
    },
    planned: sent.planned,
  };
}

/** What a cycle's write calls added up to, and the function that adds one more (and logs what it saw). */
function writeTally(logger: Logger) {
  const writes = { cellsWritten: 0, rowsAppended: 0, missingIds: [] as string[] };
  const tally = (result: WriteResult) => {
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
  };
  return { writes, tally };
}

/** The first half of a cycle: what it planned and sent, without the messages themselves. */
interface SendPhase {
  readonly basis: SettleBasis;
  readonly parts: ReadonlySet<CyclePart>;
  readonly jobRuns: readonly { job: string; slot: Date }[];
  /** How many messages were planned to go out this cycle. */
  readonly planned: number;
  readonly reports: NotificationReport[];
  readonly handoff: HandoffMessage[];
  readonly failures: string[];
  /** Activity Log lines not written yet: the sends' outcomes, or all of the plan's when nothing was sent. */
  readonly pending: ActivityEvent[];
  /** The cycle's stamper, for any line still to be made. */
  readonly stamp: ReturnType<typeof stampAt>;
}

/** A message to send, with the subject its intent is recorded under. */
interface Queued {
  readonly notification: PlannedNotification;
  readonly subject: string;
}

/**
 * A plan made ready to send. It holds no parsed rows but through its queued messages, and the job
 * empties each message's place once it is sent, so a big cycle's rows go as its messages do.
 */
interface Outgoing {
  readonly basis: SettleBasis;
  readonly parts: ReadonlySet<CyclePart>;
  readonly jobRuns: readonly { job: string; slot: Date }[];
  readonly queue: (Queued | undefined)[];
  /** Reports of the messages held back: claimed by another execution, waiting out a backoff, given up. */
  readonly heldBack: NotificationReport[];
  /** Transitions and new row issues, to append with the intents; emptied once written. */
  readonly events: ActivityEvent[];
}

/** Reads, decides, and picks what goes out. The plan lives only in here. */
async function prepareSends(deps: CycleDeps, options: CycleOptions): Promise<Outgoing> {
  const { templates, logger } = deps;
  const plan = await readAndPlan(deps, options);
  // Failed sends wait out their backoff or are given up; either way they show on the Issues tab.
  const selected = options.select?.(plan.history);
  const parts = selected?.parts ?? options.parts ?? ALL_PARTS;
  const wanted = plan.notifications.filter((n) => parts.has(PART_OF[n.kind]));
  const gate = gateRetries(wanted, plan.history, options.now);
  const held = options.handoff
    ? holdInFlight(gate.send, plan.history, options.now, options.handoff.claimMinutes)
    : { send: gate.send, inFlight: [] };
  const issues = [...plan.issues, ...gate.issues];
  logIssues(logger, plan.events, issues);
  // Subjects are needed up front for the intents; whole messages are rendered one at a time when sent.
  const heldBack = [
    ...held.inFlight.map((n) => report(n, templates.subject(n), 'in-flight')),
    ...gate.deferred.map((n) => report(n, templates.subject(n), 'deferred')),
    ...gate.givenUp.map((n) => report(n, templates.subject(n), 'given-up')),
  ];
  return {
    basis: settleBasis({ ...plan, issues }),
    parts,
    jobRuns: selected?.jobRuns ?? options.jobRuns ?? [],
    queue: held.send.map((notification) => ({ notification, subject: templates.subject(notification) })),
    heldBack,
    events: [...plan.events],
  };
}

/** Reads, decides, records the intents, then sends (or hands over) each message. */
async function planAndSend(
  deps: CycleDeps,
  options: CycleOptions,
  tally: (result: WriteResult) => void,
): Promise<SendPhase> {
  const { templates } = deps;
  const outgoing = await prepareSends(deps, options);
  // The plan is let go: only what the sends and the final write need is left.
  collectDropped();
  const { basis, queue } = outgoing;
  const planned = queue.length;
  const reports: NotificationReport[] = [];
  const handoff: HandoffMessage[] = [];
  const failures: string[] = [];
  const stamp = stampAt(basis.timestamp);
  let pending: ActivityEvent[] = outgoing.events;

  if (options.dryRun) {
    for (const { notification, subject } of queue as Queued[]) reports.push(report(notification, subject, 'planned'));
  } else if (queue.length > 0) {
    // Intents go on record before anything is sent: a crash after this point leaves a trail to finish from.
    const written = await recordIntents(deps.store, outgoing, options, stamp);
    if (written) tally(written);
    outgoing.events.length = 0;
    pending = [];
    for (let i = 0; i < queue.length; i++) {
      const { notification, subject } = queue[i]!;
      // Its place is emptied first: once this message is out, the rows only it held can go.
      queue[i] = undefined;
      if (options.handoff) {
        const message = handoffMessage(notification, templates.render(notification, subject));
        handoff.push(message);
        reports.push(report(notification, message.subject, 'handed-off'));
        continue;
      }
      const delivered = await deliver(notification, subject, deps, basis, stamp);
      pending.push(...delivered.events);
      reports.push(delivered.report);
      if (delivered.report.status !== 'sent') failures.push(`${notification.key}: ${delivered.report.error}`);
    }
  }
  reports.push(...outgoing.heldBack);
  return {
    basis,
    parts: outgoing.parts,
    jobRuns: outgoing.jobRuns,
    planned,
    reports,
    handoff,
    failures,
    pending,
    stamp,
  };
}

/**
 * Writes the plan's own lines and an intent for each queued message not yet on record (nothing, when
 * there is neither). A handoff claims every message it hands over, again where an earlier claim expired.
 */
async function recordIntents(
  store: TrackerStore,
  outgoing: Outgoing,
  options: CycleOptions,
  stamp: ReturnType<typeof stampAt>,
): Promise<WriteResult | null> {
  const { basis, queue, events } = outgoing;
  const intents: ActivityEvent[] = [];
  for (const { notification, subject } of queue as Queued[]) {
    if (!options.handoff && basis.history.notifications.intents.has(notification.key)) continue;
    intents.push(
      stamp({
        on: basis.today,
        bucpId: notification.bucpIds.length === 1 ? notification.bucpIds[0]! : '',
        disputeId: notification.disputeId ?? '',
        kind: 'notification-intent',
        from: notification.kind,
        to: [...notification.to, ...notification.cc].join(', '),
        detail: subject,
        key: notification.key,
      }),
    );
  }
  if (events.length + intents.length === 0) return null;
  return store.write({ cells: [], appendActivity: [...events, ...intents] });
}

function notificationBacklog(history: History): { pendingNotifications: number; failedNotifications: number } {
  const { intents, sent, failures } = history.notifications;
  return {
    pendingNotifications: [...intents.keys()].filter((k) => !sent.has(k) && !failures.has(k)).length,
    failedNotifications: [...failures.keys()].filter((k) => !sent.has(k)).length,
  };
}

/** Reads and decides. The raw snapshot stays in here, so it can be freed once the plan exists. */
export async function readAndPlan(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted'>,
  options: CycleOptions,
): Promise<CyclePlan> {
  const { config, store, restricted } = deps;
  const parsed = await readAndParse(store, config, options.now);
  // The rows as read, the read's buffers and the parse's scraps are all garbage now.
  collectDropped();
  const restrictedIds = await restricted.recordIds();
  return planParsed(parsed, restrictedIds, {
    config,
    now: options.now,
    link: (t, id, r) => store.rowLink(t, id, r),
    // Each step of the plan leaves its scraps behind; without a collection between steps, V8 lets a
    // 100,000-proposal plan grow to about twice what it keeps.
    onStep: collectDropped,
  });
}

/**
 * Reads the tracker and parses it. The snapshot lives only in here: once this returns, the cells as
 * read can be collected (an awaited value held in the caller would keep them through planning).
 */
async function readAndParse(store: TrackerStore, config: Config, now: Date): Promise<ParsedTracker> {
  const snapshot = await store.read();
  if (snapshot.layoutProblems.length > 0) {
    throw new LayoutError(
      `The tracker at ${store.describe()} is not ready:\n  - ${snapshot.layoutProblems.join('\n  - ')}`,
    );
  }
  return parseTracker(snapshot, { config, now });
}

/** Renders and sends one message, and returns what the Activity Log should remember of it. */
async function deliver(
  notification: PlannedNotification,
  subject: string,
  deps: CycleDeps,
  basis: SettleBasis,
  stamp: ReturnType<typeof stampAt>,
): Promise<{ events: ActivityEvent[]; report: NotificationReport }> {
  const { mailer, templates, logger } = deps;
  const message = templates.render(notification, subject);
  const outcome = await mailer.send({
    key: notification.key,
    kind: notification.kind,
    to: notification.to,
    cc: notification.cc,
    ...message,
  });
  // One stamper for the cycle: it shares each repeated recipient list and detail between messages.
  const events = outcomeEvents(notification, outcome, basis).map(stamp);
  // What was just sent counts at once: the system cells written after this cycle's sends depend on it.
  for (const event of events) applyEvent(basis.history, event);
  const log = { key: notification.key, kind: notification.kind, to: notification.to };
  if (outcome.status === 'sent') {
    if (outcome.rejected?.length)
      logger.warn({ ...log, rejected: outcome.rejected }, 'sent, but some recipients were refused');
    logger.info({ ...log, duplicate: outcome.duplicate ?? false }, 'notification sent');
    return { events, report: report(notification, message.subject, 'sent') };
  }
  logger.error({ ...log, status: outcome.status, error: outcome.error }, 'notification not sent');
  return { events, report: report(notification, message.subject, outcome.status, outcome.error) };
}

function addressOf(n: PlannedNotification): MessageAddress {
  return { kind: n.kind, to: n.to, cc: n.cc, bucpIds: n.bucpIds, disputeId: n.disputeId, idempotencyKey: n.key };
}

function handoffMessage(n: PlannedNotification, message: RenderedMessage): HandoffMessage {
  return { ...addressOf(n), ...message };
}

function report(
  n: PlannedNotification,
  subject: string,
  status: NotificationReport['status'],
  error?: string,
): NotificationReport {
  return {
    ...addressOf(n),
    subject,
    sent: status === 'sent',
    status,
    ...(error ? { error } : {}),
  };
}

export function outcomeEvents(
  n: PlannedNotification,
  outcome: SendOutcome,
  plan: Pick<CyclePlan, 'today'>,
): Omit<ActivityEvent, 'at'>[] {
  const base = {
    on: plan.today,
    bucpId: n.bucpIds.length === 1 ? n.bucpIds[0]! : '',
    disputeId: n.disputeId ?? '',
    from: n.kind,
    to: [...n.to, ...n.cc].join(', '),
    key: n.key,
  };
  if (outcome.status === 'sent') {
    const rejected = outcome.rejected?.length ? `; refused by the relay: ${outcome.rejected.join(', ')}` : '';
    return [
      { ...base, kind: 'notification-sent', detail: `Message-ID ${outcome.messageId}${rejected}` },
      ...n.onSent(),
    ];
  }
  if (outcome.status === 'unknown') {
    return [
      { ...base, kind: 'notification-unknown', detail: `outcome unknown, not resent: ${outcome.error}` },
      ...n.onSent(),
    ];
  }
  return [{ ...base, kind: 'notification-failed', detail: failureDetail(outcome.error, outcome.permanent) }];
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
