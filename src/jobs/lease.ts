import type { ChatSender, LeaseControl, Mailer, TrackerStore } from '../core/ports.ts';
import { type Logger, errorMessage } from '../log.ts';

/** The lease is not ours any more: another instance took it, or it ran out while renewals failed. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** A lease being held, as the work under it sees it. */
export interface HeldLease {
  /** Throws LeaseLostError once the lease is not ours any more. */
  ensureHeld(): void;
}

export interface HoldOptions {
  readonly holder: string;
  readonly ttlMs: number;
  /** When the lease as taken runs out (the `expiresAt` that acquire gave back); a TTL from now if unknown. */
  readonly expiresAt?: string | undefined;
  readonly logger: Logger;
}

/**
 * Runs `work` while holding a lease already taken: renewed every third of its time to live, so it
 * never lapses during long work, and released afterwards, whatever happened.
 *
 * A renewal that fails (a network error, a full disk) is retried, with a growing wait shorter than
 * the heartbeat's, until the lease runs out. A renewal that says the lease is no longer ours, or a lease
 * that ran out, means it is lost: from then on `ensureHeld` throws, so work that checks it before
 * each write and send stops there. Nothing here rejects from a timer.
 */
export async function holdingLease<T>(
  lease: LeaseControl,
  options: HoldOptions,
  work: (held: HeldLease) => Promise<T>,
): Promise<T> {
  const { holder, ttlMs, logger } = options;
  const given = Date.parse(options.expiresAt ?? '');
  let expiresAt = Number.isNaN(given) ? Date.now() + ttlMs : given;
  let lost: string | null = null;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> = Promise.resolve();

  const lose = (why: string) => {
    if (lost !== null) return;
    lost = why;
    logger.error({ holder, why }, 'the lease was lost; the work under it stops before its next write or send');
  };
  const next = (delayMs: number, failures: number) => {
    timer = setTimeout(() => (renewing = renew(failures)), delayMs);
  };
  const renew = async (failures: number): Promise<void> => {
    // Renewing a lease that already ran out could race another instance taking it over.
    if (Date.now() >= expiresAt) {
      return lose(failures > 0 ? 'it ran out while its renewals failed' : 'it ran out before it could be renewed');
    }
    const now = new Date();
    let renewed: boolean;
    try {
      renewed = await lease.renew(holder, now, ttlMs);
    } catch (error) {
      if (finished) return;
      const retryMs = Math.min(retryDelay(ttlMs, failures), Math.max(expiresAt - Date.now(), 0));
      logger.warn(
        { err: { message: errorMessage(error) }, holder, failures: failures + 1, retryInMs: retryMs },
        'renewing the lease failed; retrying until it runs out',
      );
      return next(retryMs, failures + 1);
    }
    if (finished) return;
    if (!renewed) return lose('another instance holds it now');
    expiresAt = now.getTime() + ttlMs;
    next(ttlMs / 3, 0);
  };

  const held: HeldLease = {
    ensureHeld() {
      // Checked against the clock too: a long synchronous step can hold the renewal timer back.
      if (Date.now() >= expiresAt) lose('it ran out before it could be renewed');
      if (lost !== null) throw new LeaseLostError(`The tracker lease was lost: ${lost}.`);
    },
  };

  next(ttlMs / 3, 0);
  try {
    return await work(held);
  } finally {
    finished = true;
    clearTimeout(timer);
    // A renewal still under way would write the lease again after its release.
    await renewing;
    // Release removes the lease only while it names us: a lost lease that another instance took stays.
    await lease.release(holder).catch((error: unknown) => {
      logger.warn(
        { err: { message: errorMessage(error) }, holder, expiresAt: new Date(expiresAt).toISOString() },
        'the lease could not be released; it frees itself when it runs out',
      );
    });
  }
}

/** The wait before renewal try `failures + 2`: from a 60th of the lease's life, doubling, at most a 10th. */
function retryDelay(ttlMs: number, failures: number): number {
  return Math.min((ttlMs / 60) * 2 ** failures, ttlMs / 10);
}

/**
 * The cycle's store and mailer, each checking the lease before it writes or sends: a cycle whose
 * lease was lost stops before its next write or send, wherever in the cycle that is.
 */
export function guardedByLease<
  D extends {
    readonly store: TrackerStore;
    readonly mailer?: Mailer;
    readonly chat?: ReadonlyMap<string, ChatSender>;
  },
>(deps: D, held: HeldLease): D {
  const { store, mailer } = deps;
  const guardedStore: TrackerStore = {
    kind: store.kind,
    ensureLayout: async (layout) => {
      held.ensureHeld();
      return store.ensureLayout(layout);
    },
    read: () => store.read(),
    write: async (plan) => {
      held.ensureHeld();
      return store.write(plan);
    },
    rowLink: (tab, id, row) => store.rowLink(tab, id, row),
    describe: () => store.describe(),
  };
  const guardedMailer: Mailer | undefined = mailer && {
    kind: mailer.kind,
    send: async (message) => {
      held.ensureHeld();
      return mailer.send(message);
    },
    close: () => mailer.close(),
    describe: () => mailer.describe(),
    ...(mailer.recheck ? { recheck: () => mailer.recheck!() } : {}),
    ...(mailer.stopped ? { stopped: () => mailer.stopped!() } : {}),
  };
  const guardedChat = deps.chat && new Map([...deps.chat].map(([name, sender]) => [name, guardedSender(sender, held)]));
  return {
    ...deps,
    store: guardedStore,
    ...(guardedMailer ? { mailer: guardedMailer } : {}),
    ...(guardedChat ? { chat: guardedChat } : {}),
  };
}

function guardedSender(sender: ChatSender, held: HeldLease): ChatSender {
  return {
    kind: sender.kind,
    channel: sender.channel,
    post: async (post) => {
      held.ensureHeld();
      return sender.post(post);
    },
    describe: () => sender.describe(),
  };
}
