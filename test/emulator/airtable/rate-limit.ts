/**
 * Airtable's rate limits: 5 requests a second per base and 50 a second per token, as a
 * sliding window over the last `windowMs`. A request over a limit is answered 429 and,
 * as Airtable documents, every later request on that base (or token) is refused too
 * until `penaltyMs` (30 s) have passed. Refused requests do not count against the window.
 */
export interface RateLimitOptions {
  /** Requests per window per base (Airtable: 5). */
  perBase?: number;
  /** Requests per window per token (Airtable: 50). */
  perToken?: number;
  /** Window length in ms (default 1000). */
  windowMs?: number;
  /** How long a base or token stays refused after a 429 (Airtable: 30 s). */
  penaltyMs?: number;
  /** Send `Retry-After` with this many seconds on a 429 (Airtable sends none; default none). */
  retryAfterSeconds?: number;
}

export type RateLimitVerdict = { ok: true } | { ok: false; scope: 'base' | 'token'; key: string };

export class RateLimiter {
  readonly options: Required<Omit<RateLimitOptions, 'retryAfterSeconds'>> & { retryAfterSeconds?: number };
  private readonly windows = new Map<string, number[]>();
  private readonly penalties = new Map<string, number>();

  constructor(options: RateLimitOptions = {}) {
    this.options = {
      perBase: options.perBase ?? 5,
      perToken: options.perToken ?? 50,
      windowMs: options.windowMs ?? 1000,
      penaltyMs: options.penaltyMs ?? 30_000,
      ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
    };
  }

  /** Counts a request at `now`, or refuses it. */
  admit(now: number, baseId: string | undefined, token: string): RateLimitVerdict {
    const keys: ['base' | 'token', string, number][] = [['token', `token:${token}`, this.options.perToken]];
    if (baseId !== undefined) keys.unshift(['base', `base:${baseId}`, this.options.perBase]);
    for (const [scope, key] of keys) {
      const until = this.penalties.get(key);
      if (until !== undefined && now < until) return { ok: false, scope, key };
    }
    for (const [scope, key, limit] of keys) {
      const times = this.recent(key, now);
      if (times.length >= limit) {
        this.penalties.set(key, now + this.options.penaltyMs);
        return { ok: false, scope, key };
      }
    }
    for (const [, key] of keys) this.recent(key, now).push(now);
    return { ok: true };
  }

  private recent(key: string, now: number): number[] {
    let times = this.windows.get(key);
    if (!times) {
      times = [];
      this.windows.set(key, times);
    }
    while (times.length > 0 && times[0]! <= now - this.options.windowMs) times.shift();
    return times;
  }

  reset(): void {
    this.windows.clear();
    this.penalties.clear();
  }
}
