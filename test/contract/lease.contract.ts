import { afterEach, expect, test } from 'vitest';
import type { Config } from '../../src/core/config.ts';
import type { LeaseControl, RestrictedStore, TrackerStore } from '../../src/core/ports.ts';
import { createLogger } from '../../src/log.ts';
import type { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
import { type Row, enteredDaysAgo, localTime, proposal } from '../support/workspace.ts';

/** What the lease contract needs from one kind of store: a tracker any number of instances can open. */
export interface LeaseFixture {
  readonly config: Config;
  readonly restricted: RestrictedStore;
  readonly outbox: OutboxMailer;
  addProposals(rows: readonly Row[]): void;
  addRestricted(rows: readonly Row[]): void;
  /** A store object of its own on the same tracker, as another instance would open it. */
  newTracker(): TrackerStore & { readonly lease: LeaseControl };
  /** Whether the stored lease holds no one. */
  released(): boolean;
  /** A lease time the store can wait out in a test: longer than its settle time. */
  readonly shortTtlMs: number;
  stop(): Promise<void>;
}

/** One instance per tracker, on every store with a lease: two ticking together, and a crashed holder. */
export function leaseContract(name: string, setUp: () => Promise<LeaseFixture>): void {
  const open: LeaseFixture[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.stop()));
  });
  const fixture = async () => {
    const f = await setUp();
    open.push(f);
    return f;
  };

  test(`${name}: two services ticking together, the lease lets exactly one run`, async () => {
    const f = await fixture();
    f.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
    f.addRestricted([{ 'BUCP ID': 'B-1' }]);
    const templates = await MailTemplates.load();
    const logger = createLogger({ destination: { write: () => true } });
    // Two instances: their own store objects (their own memory), one tracker.
    const runners = [0, 1].map(
      () =>
        new ServiceRunner({
          deps: {
            config: f.config,
            store: f.newTracker(),
            restricted: f.restricted,
            mailer: f.outbox,
            templates,
            logger,
          },
          clock: () => localTime('2026-11-23T09:10'),
        }),
    );
    const reports = await Promise.all(runners.map((r) => r.tick()));
    expect(reports.filter((r) => r !== null)).toHaveLength(1);
    expect(runners.map((r) => r.status().skippedForLease).sort()).toEqual([0, 1]);
    const keys = (await f.outbox.entries()).map((e) => e.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    // Released after the cycle: the other instance runs next and finds nothing new to send.
    const loser = runners[reports.findIndex((r) => r === null)]!;
    expect((await loser.tick())?.notifications).toEqual([]);
    expect(f.released()).toBe(true);
  });

  test(`${name}: a lease left by a crashed instance expires, and another takes over`, async () => {
    const f = await fixture();
    const crashed = f.newTracker();
    expect((await crashed.lease.acquire('elsewhere:1:a', new Date(), f.shortTtlMs)).acquired).toBe(true);
    const other = f.newTracker();
    expect((await other.lease.acquire('elsewhere:2:b', new Date(), 60_000)).acquired).toBe(false);
    await new Promise((r) => setTimeout(r, f.shortTtlMs + 100));
    expect((await other.lease.acquire('elsewhere:2:b', new Date(), 60_000)).acquired).toBe(true);
    expect(await crashed.lease.renew('elsewhere:1:a', new Date(), 60_000)).toBe(false);
  });
}
