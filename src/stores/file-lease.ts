import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Lease, LeaseControl } from '../core/ports.ts';

/**
 * Whether a holder named `host:pid:…` was a process on this machine that no longer runs (killed,
 * crashed): its lease is stale at once, so a restart need not wait for it to expire.
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
 * A lease kept in a file beside the workbook. Taking a free lease is an exclusive create, so two
 * instances cannot both succeed; an expired one is first renamed away, and only one rename of the same
 * file can succeed, so only one instance takes it over.
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
      try {
        const handle = await open(this.file, 'wx');
        await handle.writeFile(JSON.stringify(wanted));
        await handle.close();
        return { acquired: true, lease: wanted };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
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
      // Expired: move it out of the way. If another instance got there first, the rename fails.
      try {
        await rename(this.file, `${this.file}.expired-${randomBytes(4).toString('hex')}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const held = await this.current();
    return { acquired: false, lease: held === 'unreadable' ? null : held };
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
