import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Lease } from '../core/ports.ts';
import { calendarFor } from '../core/cycle.ts';
import { type JobName, type JobSchedule, dueJobs, schedulesFrom } from '../core/schedule.ts';
import { type CycleDeps, type CyclePart, type CycleReport, readTracker, runCycle } from '../jobs/run-cycle.job.ts';
import { LeaseLostError, guardedByLease, holdingLease } from '../jobs/lease.ts';
import { leaseHolder } from '../stores/file-lease.ts';
import { errorMessage } from '../log.ts';

export interface JobStatus {
  readonly job: JobName;
  lastSlot: string | null;
  lastRunAt: string | null;
  lastOutcome: 'ok' | 'failed' | null;
  lastError: string | null;
}

export interface RunnerStatus {
  readonly startedAt: string;
  readonly running: boolean;
  readonly jobs: readonly (JobStatus & { nextRun: string | null })[];
  readonly lastCycle: {
    runId: string;
    at: string;
    ok: boolean;
    sent: number;
    failed: number;
    pendingNotifications: number;
    failedNotifications: number;
  } | null;
  readonly skippedWhileRunning: number;
  /** This instance's lease name, and the lease as last seen. */
  readonly holder: string;
  readonly lease: Lease | null;
  readonly skippedForLease: number;
  /** The mailer, and why it is stopped (its journal cannot be written), or null while it sends. */
  readonly mail: { readonly transport: string; readonly stopped: string | null };
  /** The chat channels posted to: kind, name and host, never a webhook URL. */
  readonly chat: readonly string[];
  /** Ticks skipped because taking the lease failed (the store did not answer). */
  readonly skippedForLeaseError: number;
  /** Cycles stopped because the lease was lost while they ran (taken over, or run out). */
  readonly leaseLost: number;
  /** The last lease error: taking it failed, or it was lost. Cleared when a cycle next completes under it. */
  readonly leaseError: { at: string; message: string } | null;
}

export interface RunnerOptions {
  readonly deps: CycleDeps;
  readonly schedules?: readonly JobSchedule[];
  /** The clock: tests move it by hand. The lease always runs on real time. */
  readonly clock?: () => Date;
  /** How long a lease lasts without a heartbeat: a crashed holder's lease frees itself after this. */
  readonly leaseTtlMs?: number;
}

/**
 * Runs the jobs on their schedules. Each tick reads the tracker once and runs every job whose latest
 * slot has not run yet, which makes the first tick after a start the catch-up, and keeps a slot that
 * a timer missed (a restart, a DST gap) from being lost. Job slots are remembered in the Activity Log.
 */
export class ServiceRunner {
  private readonly deps: CycleDeps;
  private readonly schedules: readonly JobSchedule[];
  private readonly clock: () => Date;
  private readonly startedAt: Date;
  private readonly jobs = new Map<JobName, JobStatus>();
  private tasks: ScheduledTask[] = [];
  private current: Promise<CycleReport | null> | null = null;
  private lastCycle: RunnerStatus['lastCycle'] = null;
  private skipped = 0;
  private skippedForLease = 0;
  private skippedForLeaseError = 0;
  private leaseLost = 0;
  private leaseError: RunnerStatus['leaseError'] = null;
  private readonly holder = leaseHolder(randomBytes(3).toString('hex'));
  private readonly leaseTtlMs: number;
  private lastLease: Lease | null = null;

  constructor(options: RunnerOptions) {
    this.leaseTtlMs = options.leaseTtlMs ?? 5 * 60_000;
    this.deps = options.deps;
    this.schedules = options.schedules ?? schedulesFrom(options.deps.config.schedules);
    this.clock = options.clock ?? (() => new Date());
    this.startedAt = this.clock();
    for (const s of this.schedules) {
      this.jobs.set(s.job, { job: s.job, lastSlot: null, lastRunAt: null, lastOutcome: null, lastError: null });
    }
  }

  /** One pass: run what is due. A tick while a cycle is still running is skipped, never stacked. */
  async tick(): Promise<CycleReport | null> {
    if (this.current) {
      this.skipped += 1;
      this.deps.logger.info('a cycle is still running; this tick is skipped');
      return null;
    }
    // Ticks run from timers: whatever goes wrong in one is logged, never thrown at the event loop.
    this.current = this.runDue()
      .catch((error: unknown) => {
        this.deps.logger.error({ err: { message: errorMessage(error) } }, 'the tick failed');
        return null;
      })
      .finally(() => {
        this.current = null;
      });
    return this.current;
  }

  /**
   * One instance per tracker writes and sends: the tick runs only under the store's lease, and its
   * store and mailer check the lease before each write and send.
   */
  private async runDue(): Promise<CycleReport | null> {
    const { store, logger } = this.deps;
    const lease = store.lease;
    if (!lease) return this.runDueUnderLease(this.deps);
    let taken: Awaited<ReturnType<typeof lease.acquire>>;
    try {
      taken = await lease.acquire(this.holder, new Date(), this.leaseTtlMs);
    } catch (error) {
      // Nobody can say who holds the lease (a network error, a full disk): the next tick tries again.
      this.skippedForLeaseError += 1;
      this.leaseError = {
        at: this.clock().toISOString(),
        message: `The tracker lease could not be taken: ${errorMessage(error)}`,
      };
      logger.error({ err: { message: errorMessage(error) } }, 'the lease could not be taken; this tick is skipped');
      return null;
    }
    this.lastLease = taken.lease;
    if (!taken.acquired) {
      this.skippedForLease += 1;
      logger.info(
        { holder: taken.lease?.holder ?? 'unknown', until: taken.lease?.expiresAt ?? 'unknown' },
        'another instance holds the lease; this tick is skipped',
      );
      return null;
    }
    const hold = { holder: this.holder, ttlMs: this.leaseTtlMs, expiresAt: taken.lease?.expiresAt, logger };
    const report = await holdingLease(lease, hold, (held) => this.runDueUnderLease(guardedByLease(this.deps, held)));
    if (report) this.leaseError = null;
    return report;
  }

  private async runDueUnderLease(deps: CycleDeps): Promise<CycleReport | null> {
    const { config, logger } = deps;
    const now = this.clock();
    const calendar = calendarFor(config);
    let due: { job: JobName; slot: Date }[] = [];
    try {
      await this.recheckMailer();
      // The memory just read says which slots already ran: the jobs due are those after them (catch-up).
      const tracker = await readTracker(deps, now);
      const last = Object.fromEntries([...tracker.history.jobSlots].map(([job, slot]) => [job, new Date(slot)]));
      due = dueJobs(this.schedules, last, now, config.timezone, calendar);
      for (const [job, slot] of tracker.history.jobSlots) {
        const status = this.jobs.get(job as JobName);
        if (status) status.lastSlot = slot;
      }
      const parts = new Set(due.map((d) => d.job).filter((job): job is CyclePart => job !== 'sync'));
      const report = await runCycle(deps, { now, parts, jobRuns: due }, tracker);
      for (const d of due) this.record(d.job, d.slot, now, report.ok ? null : report.failures.join('; '));
      this.lastCycle = {
        runId: report.runId,
        at: now.toISOString(),
        ok: report.ok,
        sent: report.notifications.filter((n) => n.sent).length,
        failed: report.failures.length,
        pendingNotifications: report.pendingNotifications,
        failedNotifications: report.failedNotifications,
      };
      logger.info({ jobs: due.map((d) => d.job) }, 'scheduled jobs ran');
      return report;
    } catch (error) {
      for (const d of due) this.record(d.job, null, now, errorMessage(error));
      if (error instanceof LeaseLostError) {
        this.leaseLost += 1;
        this.leaseError = { at: now.toISOString(), message: error.message };
        logger.error(
          { err: { message: error.message }, jobs: due.map((d) => d.job) },
          'the lease was lost; the cycle stopped before its next write or send',
        );
        return null;
      }
      logger.error({ err: { message: errorMessage(error) }, jobs: due.map((d) => d.job) }, 'scheduled cycle failed');
      return null;
    }
  }

  /** A stopped mailer is tried again at every tick, mail or not, so /status clears once its journal is fixed. */
  private async recheckMailer(): Promise<void> {
    const { mailer, logger } = this.deps;
    if (!mailer.stopped?.()) return;
    const still = await mailer.recheck?.();
    if (still) logger.error({ error: still }, 'mail is still stopped');
    else logger.info('the mailer can send again: held messages go out when their job next runs');
  }

  private record(job: JobName, slot: Date | null, at: Date, error: string | null): void {
    const status = this.jobs.get(job);
    if (!status) return;
    if (slot && !error) status.lastSlot = slot.toISOString();
    status.lastRunAt = at.toISOString();
    status.lastOutcome = error ? 'failed' : 'ok';
    status.lastError = error;
  }

  /** Starts the timers (node-cron, in the configured zone) and runs the catch-up tick at once. */
  async start(): Promise<CycleReport | null> {
    const zone = this.deps.config.timezone;
    this.tasks = this.schedules.map((s) =>
      cron.schedule(s.cron, () => this.tick().then(() => undefined), { timezone: zone, noOverlap: true, name: s.job }),
    );
    return this.tick();
  }

  /** Stops the timers and lets a running cycle finish. */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.destroy()));
    this.tasks = [];
    await this.current;
  }

  status(): RunnerStatus {
    return {
      startedAt: this.startedAt.toISOString(),
      running: this.current !== null,
      jobs: this.schedules.map((s, i) => ({
        ...this.jobs.get(s.job)!,
        nextRun: this.tasks[i]?.getNextRun()?.toISOString() ?? null,
      })),
      lastCycle: this.lastCycle,
      skippedWhileRunning: this.skipped,
      holder: this.holder,
      lease: this.lastLease,
      skippedForLease: this.skippedForLease,
      mail: { transport: this.deps.mailer.describe(), stopped: this.deps.mailer.stopped?.() ?? null },
      chat: [...(this.deps.chat?.values() ?? [])].map((sender) => sender.describe()),
      skippedForLeaseError: this.skippedForLeaseError,
      leaseLost: this.leaseLost,
      leaseError: this.leaseError,
    };
  }
}
