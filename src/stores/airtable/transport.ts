import { setTimeout as sleep } from 'node:timers/promises';
import Airtable from 'airtable';
import { airtableBaseUrl } from './base-url.ts';

/** Airtable's public API root; the emulator or a proxy replaces it through `endpointUrl`. */
export const AIRTABLE_API = 'https://api.airtable.com';

/** The scopes a token needs, and which calls need which. */
export const AIRTABLE_SCOPES = ['data.records:read', 'data.records:write', 'schema.bases:read', 'schema.bases:write'];

export interface AirtableRetryPolicy {
  /** Tries in all, the first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** The backoff after a 5xx or a dropped connection is truncated here. */
  readonly maxDelayMs: number;
  /** What a 429 costs: Airtable answers nothing from that base for 30 seconds. */
  readonly rateLimitWaitMs: number;
  /** A Retry-After longer than this is not waited for: the call fails and the next cycle tries again. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_AIRTABLE_RETRY: AirtableRetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 16_000,
  rateLimitWaitMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Airtable allows 5 requests a second per base. One request every 250 ms (4 a second) leaves a whole
 * interval of slack: a request that reaches Airtable late (a busy machine, a slow network) still
 * cannot make six in one second.
 */
export const DEFAULT_MIN_INTERVAL_MS = 250;

/** What each kind of call needs of the token, for the message when it is refused. */
export type CallKind = 'read' | 'write' | 'schema-read' | 'schema-write';

const SCOPE_OF: Record<CallKind, string> = {
  read: 'data.records:read',
  write: 'data.records:write',
  'schema-read': 'schema.bases:read',
  'schema-write': 'schema.bases:write',
};

/** A failure of the Airtable API, translated into what a person can act on. AirtableError is not an Error. */
export class AirtableApiError extends Error {
  override readonly name = 'AirtableApiError';
  /** Airtable's error type (`INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND`, `ROW_DOES_NOT_EXIST`...), or CONNECTION_ERROR. */
  readonly type: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Airtable's own message, for callers that look for a record ID or a field name in it. */
  readonly detail: string;
  constructor(
    message: string,
    options: { type: string; status: number | undefined; retryable: boolean; detail: string },
  ) {
    super(message);
    this.type = options.type;
    this.status = options.status;
    this.retryable = options.retryable;
    this.detail = options.detail;
  }
}

/** A failure as the client or fetch gives it: an AirtableError, a fetch error, or our own HTTP answer. */
interface RawFailure {
  readonly type: string;
  readonly status: number | undefined;
  readonly message: string;
  readonly retryAfter: string | null;
}

function asFailure(error: unknown): RawFailure {
  if (error instanceof HttpFailure) return error.failure;
  const e = error as { error?: unknown; statusCode?: unknown; message?: unknown; code?: unknown };
  // airtable.js rejects with an AirtableError (not an Error): { error: type, message, statusCode }.
  if (typeof e?.error === 'string') {
    return {
      type: e.error,
      status: typeof e.statusCode === 'number' ? e.statusCode : undefined,
      message: String(e.message ?? ''),
      retryAfter: null,
    };
  }
  return { type: 'CONNECTION_ERROR', status: undefined, message: String(e?.message ?? error), retryAfter: null };
}

/** An answer of fetch that is not 2xx, carried to the retry loop with its Retry-After. */
class HttpFailure extends Error {
  readonly failure: RawFailure;
  constructor(failure: RawFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

function retryable(failure: RawFailure): boolean {
  if (failure.status === undefined) return failure.type === 'CONNECTION_ERROR';
  return failure.status === 429 || failure.status >= 500;
}

/** The wait before try `attempt + 1`: 30 s (or Retry-After) after a 429, else truncated exponential backoff with full jitter. */
export function airtableBackoff(
  attempt: number,
  failure: { status: number | undefined; retryAfter: string | null },
  policy: AirtableRetryPolicy,
  random = Math.random,
): number {
  const seconds = failure.retryAfter === null ? Number.NaN : Number(failure.retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxRetryAfterMs);
  if (failure.status === 429) return policy.rateLimitWaitMs;
  const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.floor(random() * ceiling);
}

export interface CallContext {
  readonly what: string;
  readonly kind: CallKind;
  readonly baseId: string;
  readonly tokenEnv: string;
  /** Why a 403 came, as `diagnose` found out. */
  readonly denied?: Denial;
}

/** Why Airtable refused a call with 403. */
export type Denial = 'no-base' | 'read-only' | 'no-schema-scope' | 'scope' | 'unknown';

export function translateAirtable(failure: RawFailure, context: CallContext, attempts: number): AirtableApiError {
  const { what, baseId, tokenEnv } = context;
  const make = (message: string, retry = false) =>
    new AirtableApiError(message, {
      type: failure.type,
      status: failure.status,
      retryable: retry,
      detail: failure.message,
    });
  const base = `base ${baseId} (${airtableBaseUrl(baseId)})`;
  if (failure.status === 401 || failure.type === 'AUTHENTICATION_REQUIRED') {
    return make(
      `Airtable rejected the token in ${tokenEnv}${failure.message ? ` (${failure.message})` : ''}: create a personal access token at https://airtable.com/create/tokens with the scopes ${AIRTABLE_SCOPES.join(', ')} and put it in ${tokenEnv}.`,
    );
  }
  if (
    failure.status === 403 ||
    failure.type === 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND' ||
    failure.type === 'NOT_AUTHORIZED'
  ) {
    // Airtable gives one answer for a base the token cannot reach and a scope it lacks; `diagnose` tells them apart.
    switch (context.denied ?? 'unknown') {
      case 'no-base':
        return make(
          `Airtable found no ${base} for the token in ${tokenEnv}: check the base ID in the config (store.baseId or store.restrictedBaseId), and grant the token that base (https://airtable.com/create/tokens, the token, Access: add the base).`,
        );
      case 'read-only':
        return make(
          `Airtable refused ${what} on ${base}: the token's owner may only read that base. Make them an editor of the base (Share), or use a token of someone who is (creating tables needs a creator).`,
        );
      case 'no-schema-scope':
        return make(
          `Airtable refused ${what} on ${base}: the token in ${tokenEnv} lacks the scope schema.bases:read. Add it at https://airtable.com/create/tokens (the service needs ${AIRTABLE_SCOPES.join(', ')}).`,
        );
      case 'scope':
        return make(
          `Airtable refused ${what} on ${base}: the token in ${tokenEnv} lacks the scope ${SCOPE_OF[context.kind]} (or a table the call names is gone: run \`bucp init\`). Add the scope at https://airtable.com/create/tokens (the service needs ${AIRTABLE_SCOPES.join(', ')}).`,
        );
      case 'unknown':
        return make(
          `Airtable refused ${what} on ${base} (${failure.type}): grant the token in ${tokenEnv} that base and the scopes ${AIRTABLE_SCOPES.join(', ')} at https://airtable.com/create/tokens, and check the base ID in the config.`,
        );
    }
  }
  if (
    failure.type === 'UNKNOWN_FIELD_NAME' ||
    failure.type === 'TABLE_NOT_FOUND' ||
    (failure.status === 404 && /table/i.test(failure.message))
  ) {
    return make(
      `Airtable ${what} on ${base} names a table or field the base lacks (${failure.message}): run \`bucp init\` to add it.`,
    );
  }
  if (failure.type === 'INVALID_MULTIPLE_CHOICE_OPTIONS') {
    return make(
      `Airtable ${what} on ${base} was refused for a select value not among the field's choices (${failure.message}): run \`bucp init\` to add the choice, or correct the value.`,
    );
  }
  if (/record limit|RECORD_LIMIT|ROW_LIMIT/i.test(`${failure.type} ${failure.message}`)) {
    return make(
      `${base} is full: Airtable refused ${what} because the base is at its plan's record limit, and nothing of it was written. Delete records the tracker does not use, or move the base to a larger plan (see "Airtable set-up" in the README); do not delete Activity Log records, which are the service's memory.`,
    );
  }
  if (retryable(failure)) {
    return make(
      `Airtable ${what} on ${base} still failed after ${attempts} tries (${failure.status ?? failure.type}: ${failure.message}); the next cycle will try again.`,
      true,
    );
  }
  return make(`Airtable ${what} on ${base} failed (${failure.status ?? ''} ${failure.type}): ${failure.message}`);
}

export interface AirtableTransportOptions {
  readonly baseId: string;
  readonly token: string;
  /** The environment variable the token came from, for messages. */
  readonly tokenEnv?: string;
  readonly endpointUrl?: string | undefined;
  readonly retry?: AirtableRetryPolicy;
  /** The least time between two requests to the base (pacing below Airtable's 5 a second). */
  readonly minIntervalMs?: number;
  /**
   * How waits are made and time is told, for the retry waits and the pacing: tests pass a simulated
   * clock (shared with the emulator's rate limiter) so a 30 s wait, or 2,000 paced requests, cost nothing.
   */
  readonly wait?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
  readonly timeoutMs?: number;
  readonly onRetry?: (info: { what: string; attempt: number; delayMs: number; status: number | undefined }) => void;
}

export interface RecordRequest {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the base: `/<tableId>` or `/<tableId>/listRecords`. */
  readonly path: string;
  readonly qs?: Record<string, unknown>;
  readonly body?: unknown;
}

/**
 * How the stores call Airtable about one base. Record calls go through the `airtable` client
 * (`makeRequest`, built with `noRetryIfRateLimited`: its own 429 retry has no cap and ignores
 * Retry-After); schema calls (`/v0/meta/...`), which the client lacks, go through fetch. Both are paced
 * below the base's 5 requests a second, retried within the policy on 429, 5xx and dropped connections,
 * and their failures translated into what a person can act on.
 */
export class AirtableTransport {
  readonly baseId: string;
  readonly endpointUrl: string;
  private readonly base: Airtable.Base;
  private readonly token: string;
  private readonly tokenEnv: string;
  private readonly retry: AirtableRetryPolicy;
  private readonly minIntervalMs: number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  private readonly timeoutMs: number;
  private readonly onRetry: AirtableTransportOptions['onRetry'];
  private nextSlot = 0;

  constructor(options: AirtableTransportOptions) {
    this.baseId = options.baseId;
    this.endpointUrl = (options.endpointUrl ?? AIRTABLE_API).replace(/\/+$/, '');
    this.token = options.token;
    this.tokenEnv = options.tokenEnv ?? 'AIRTABLE_TOKEN';
    this.retry = options.retry ?? DEFAULT_AIRTABLE_RETRY;
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    this.wait = options.wait ?? ((ms) => sleep(ms));
    this.clock = options.clock ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.onRetry = options.onRetry;
    this.base = new Airtable({
      apiKey: options.token,
      endpointUrl: this.endpointUrl,
      noRetryIfRateLimited: true,
      requestTimeout: this.timeoutMs,
    }).base(options.baseId);
  }

  /** Waits for this base's next request slot: requests leave at most one per minIntervalMs. */
  private async pace(): Promise<void> {
    const now = this.clock();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.minIntervalMs;
    if (slot > now) await this.wait(slot - now);
  }

  private async withRetry<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      await this.pace();
      try {
        return await call();
      } catch (raw) {
        const failure = asFailure(raw);
        if (!retryable(failure) || attempt + 1 >= this.retry.attempts) {
          const denied = failure.status === 403 ? await this.diagnose(context.kind) : undefined;
          throw translateAirtable(failure, { ...context, ...(denied ? { denied } : {}) }, attempt + 1);
        }
        const delayMs = airtableBackoff(attempt, failure, this.retry);
        if (failure.retryAfter !== null && Number(failure.retryAfter) * 1000 > this.retry.maxRetryAfterMs) {
          throw translateAirtable(failure, context, attempt + 1);
        }
        this.onRetry?.({ what: context.what, attempt: attempt + 1, delayMs, status: failure.status });
        await this.wait(delayMs);
      }
    }
  }

  /**
   * Why a call was refused with 403: the bases the token can see (GET /v0/meta/bases, one call) say
   * whether it can reach this base at all, and with what permission; what is left is a missing scope.
   */
  private async diagnose(kind: CallKind): Promise<Denial> {
    try {
      await this.pace();
      const response = await fetch(`${this.endpointUrl}/v0/meta/bases`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.status === 403) return 'no-schema-scope';
      if (!response.ok) return 'unknown';
      const { bases = [] } = (await response.json()) as { bases?: { id: string; permissionLevel?: string }[] };
      const base = bases.find((b) => b.id === this.baseId);
      if (!base) return 'no-base';
      const writes = kind === 'write' || kind === 'schema-write';
      if (writes && ['none', 'read', 'comment'].includes(base.permissionLevel ?? '')) return 'read-only';
      return 'scope';
    } catch {
      return 'unknown';
    }
  }

  private context(what: string, kind: CallKind): CallContext {
    return { what, kind, baseId: this.baseId, tokenEnv: this.tokenEnv };
  }

  /** A record call through the airtable client. Only calls that can be repeated without effect may be retried blind. */
  async records<T>(what: string, kind: 'read' | 'write', request: RecordRequest): Promise<T> {
    return this.withRetry(this.context(what, kind), async () => {
      const response = await this.base.makeRequest({
        method: request.method ?? 'GET',
        path: request.path,
        qs: request.qs ?? {},
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      return response.body as T;
    });
  }

  /** A Metadata API call (`/v0/meta/bases/<baseId>/...`) through fetch, with the same pacing, retry and translation. */
  async meta<T>(
    what: string,
    kind: 'schema-read' | 'schema-write',
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const url = `${this.endpointUrl}/v0/meta/bases/${this.baseId}${path}`;
    return this.withRetry(this.context(what, kind), async () => {
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const json = parseJson(text) as { error?: { type?: string; message?: string } | string } | undefined;
      if (!response.ok) {
        const error = json?.error;
        throw new HttpFailure({
          type: typeof error === 'string' ? error : (error?.type ?? `HTTP_${response.status}`),
          status: response.status,
          message: typeof error === 'string' ? error : (error?.message ?? text.slice(0, 200)),
          retryAfter: response.headers.get('retry-after'),
        });
      }
      return json as T;
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
