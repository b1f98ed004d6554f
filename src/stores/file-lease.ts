import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Lease, LeaseControl } from '../core/ports.ts';

/** A takeover lock older than this was left by a crash and may be removed. */
const TAKEOVER_STALE_MS = 30_000;

/**
 * A lease holder's name: `host:pid:detail`, the machine and process first, so that holderIsGone can
 * tell a crashed local holder (the service's or an n8n worker's) from a live one. `detail` tells
 * holders in one process apart (a random tag, an n8n execution).
 */
export function leaseHolder(detail: string): string {
  return `${os.hostname()}:${process.pid}:${detail}`;
}

/**
 * Whether a holder named `host:pid:…` (see leaseHolder) was a process on this machine that no longer
 * runs (killed, crashed): its lease is stale at once, so a restart need not wait for it to expire.
 */
export function holderIsGone(holder: string): boolean {
  const [host, pidText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A lease kept in a file beside the workbook. Taking a free lease is an exclusive create (a link of a
 * fully written file), so two instances cannot both succeed. An expired one is removed only under a takeover lock (itself an
 * exclusive create) and after checking again that it is the same expired lease; the lease is then
 * taken by the same exclusive create, so there is still one winner.
 */
export class FileLease implements LeaseControl {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  private async current(): Promise<Lease | null | 'unreadable'> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as Lease;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // Being written this very moment, or damaged: treated as held until it can be read.
      return 'unreadable';
    }
  }

  private lease(holder: string, now: Date, ttlMs: number): Lease {
    return { holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString(), heartbeatAt: now.toISOString() };
  }

  async acquire(holder: string, now: Date, ttlMs: number): Promise<{ acquired: boolean; lease: Lease | null }> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const wanted = this.lease(holder, now, ttlMs);
      // Written whole beside it, then linked into place: link fails when the lease exists (an exclusive
      // create), and a process killed halfway never leaves an empty lease behind.
      const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, JSON.stringify(wanted));
      try {
        await link(temp, this.file);
        return { acquired: true, lease: wanted };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(temp, { force: true });
      }
      const held = await this.current();
      if (held === 'unreadable') return { acquired: false, lease: null };
      if (held === null) continue;
      if (held.holder === holder) {
        return (await this.renew(holder, now, ttlMs))
          ? { acquired: true, lease: wanted }
          : { acquired: false, lease: held };
      }
      if (Date.parse(held.expiresAt) > now.getTime() && !holderIsGone(held.holder))
        return { acquired: false, lease: held };
      // Expired. Only the instance holding the takeover lock may remove it, and it checks again under
      // that lock; everyone else backs off. Then the removed lease is re-created by exclusive create.
      if (!(await this.takeOver(held, now))) return { acquired: false, lease: held };
    }
    const held = await this.current();
    return { acquired: false, lease: held === 'unreadable' ? null : held };
  }

  /** Removes an expired lease under the takeover lock; false when another instance is taking over. */
  private async takeOver(seen: Lease, now: Date): Promise<boolean> {
    const lock = `${this.file}.takeover`;
    try {
      await (await open(lock, 'wx')).close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A takeover lock left by a crash during a takeover goes after a while.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > TAKEOVER_STALE_MS) await rm(lock, { force: true });
      return false;
    }
    try {
      const again = await this.current();
      if (
        again !== null &&
        again !== 'unreadable' &&
        again.holder === seen.holder &&
        again.expiresAt === seen.expiresAt
      ) {
        if (Date.parse(again.expiresAt) <= now.getTime() || holderIsGone(again.holder))
          await rm(this.file, { force: true });
      }
      return true;
    } finally {
      await rm(lock, { force: true });
    }
  }

  async renew(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const held = await this.current();
    if (held === null || held === 'unreadable' || held.holder !== holder) return false;
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(this.lease(holder, now, ttlMs)));
    await rename(temp, this.file);
    return true;
  }

  async release(holder: string): Promise<void> {
    const held = await this.current();
    if (held !== null && held !== 'unreadable' && held.holder === holder) await rm(this.file, { force: true });
  }
}
