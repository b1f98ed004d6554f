/**
 * Deliberate faults: scripted ("the next N matching requests ...") and random at a rate,
 * from a seeded dice so that a chaos test replays the same sequence.
 *
 * A fault is one of:
 * - a status (500, 502, 503, 429 with or without Retry-After) answered instead of serving;
 * - 'drop': the socket is destroyed without an answer;
 * - 'slow': the answer is delayed by `delayMs`, then served normally;
 * - with `afterApply`, a write is applied first and then failed or dropped (the
 *   "did it happen?" case a client must not repeat blindly).
 */
import { prng } from '../prng.ts';

export type CallKind = 'read' | 'write' | 'meta-read' | 'meta-write' | 'other';

export type FaultAction = number | 'drop' | 'slow';

export interface ScriptedFault {
  action: FaultAction;
  afterApply: boolean;
  retryAfterSeconds?: number;
  delayMs: number;
  kinds?: CallKind[];
  baseId?: string;
  label: FaultLabel;
}

export type FaultLabel = 'failNext' | 'drop' | 'slow' | 'injected' | 'dropAfterApply' | 'failAfterApply';

export interface FailNextOptions {
  /** Apply the write first, then fail or drop the answer. Only writes are affected. */
  afterApply?: boolean;
  /** With status 429: send this Retry-After (seconds). */
  retryAfterSeconds?: number;
  /** With 'slow': the delay (default 2000 ms). */
  delayMs?: number;
  /** Only requests of these kinds match (default all). */
  kinds?: CallKind[];
  baseId?: string;
}

export interface RandomFaultOptions {
  /** Probability that a request is answered with one of `statuses` instead of being served. */
  rate?: number;
  /** Default [500, 502, 503, 429]. */
  statuses?: number[];
  /** Retry-After seconds sent with an injected 429 (default none, as Airtable). */
  retryAfterSeconds?: number;
  /** Probability that the socket is destroyed before the request is served. */
  dropConnectionRate?: number;
  /** Probability that a write is applied and then its socket destroyed. */
  dropAfterApplyRate?: number;
  /** Extra delay for every request: fixed or drawn from [min, max]. */
  latencyMs?: number | [number, number];
  seed?: number;
  /** Only these kinds get random faults (default all). */
  kinds?: CallKind[];
}

export interface PickedFault {
  action: FaultAction;
  afterApply: boolean;
  retryAfterSeconds?: number;
  delayMs: number;
  label: FaultLabel;
}

export class FaultInjector {
  private readonly pending: ScriptedFault[] = [];
  private random: RandomFaultOptions | undefined;
  private dice: () => number = prng(1);

  failNext(n: number, action: FaultAction, options: FailNextOptions = {}): void {
    for (let i = 0; i < n; i++) {
      const afterApply = options.afterApply ?? false;
      this.pending.push({
        action,
        afterApply,
        delayMs: action === 'slow' ? (options.delayMs ?? 2000) : 0,
        ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
        ...(options.kinds ? { kinds: options.kinds } : {}),
        ...(options.baseId ? { baseId: options.baseId } : {}),
        label: afterApply
          ? action === 'drop'
            ? 'dropAfterApply'
            : 'failAfterApply'
          : action === 'drop'
            ? 'drop'
            : action === 'slow'
              ? 'slow'
              : 'failNext',
      });
    }
  }

  setRandom(options: RandomFaultOptions | null): void {
    this.random = options ?? undefined;
    this.dice = prng(options?.seed ?? 1);
  }

  clear(): void {
    this.pending.length = 0;
    this.setRandom(null);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** The fault for this request, if any. Scripted faults first; after-apply ones only match writes. */
  pick(kind: CallKind, baseId: string | undefined): PickedFault | undefined {
    const isWrite = kind === 'write' || kind === 'meta-write';
    const i = this.pending.findIndex(
      (p) =>
        (!p.kinds || p.kinds.includes(kind)) &&
        (p.baseId === undefined || p.baseId === baseId) &&
        (!p.afterApply || isWrite),
    );
    if (i >= 0) return this.pending.splice(i, 1)[0];
    const cfg = this.random;
    if (!cfg || (cfg.kinds && !cfg.kinds.includes(kind))) return undefined;
    // Always draw the same number of dice so the sequence depends only on the seed.
    const [dropRoll, faultRoll, pick, latencyRoll, afterRoll] = [
      this.dice(),
      this.dice(),
      this.dice(),
      this.dice(),
      this.dice(),
    ];
    let delayMs = 0;
    if (cfg.latencyMs !== undefined) {
      const [lo, hi] = Array.isArray(cfg.latencyMs) ? cfg.latencyMs : [cfg.latencyMs, cfg.latencyMs];
      delayMs = lo + (hi - lo) * latencyRoll;
    }
    if (dropRoll < (cfg.dropConnectionRate ?? 0)) return { action: 'drop', afterApply: false, delayMs, label: 'drop' };
    if (faultRoll < (cfg.rate ?? 0)) {
      const statuses = cfg.statuses?.length ? cfg.statuses : [500, 502, 503, 429];
      const status = statuses[Math.floor(pick * statuses.length)]!;
      return {
        action: status,
        afterApply: false,
        delayMs,
        label: 'injected',
        ...(status === 429 && cfg.retryAfterSeconds !== undefined ? { retryAfterSeconds: cfg.retryAfterSeconds } : {}),
      };
    }
    if (isWrite && afterRoll < (cfg.dropAfterApplyRate ?? 0)) {
      return { action: 'drop', afterApply: true, delayMs, label: 'dropAfterApply' };
    }
    if (delayMs > 0) return { action: 'slow', afterApply: false, delayMs, label: 'slow' };
    return undefined;
  }
}
