import type { LeaseControl } from '../core/ports.ts';

/**
 * Runs `work` while holding a lease already taken: renewed every third of its time to live, so it
 * never lapses during long work, and released afterwards, whatever happened.
 */
export async function holdingLease<T>(
  lease: LeaseControl,
  holder: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const heartbeat = setInterval(() => void lease.renew(holder, new Date(), ttlMs), ttlMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await lease.release(holder);
  }
}
