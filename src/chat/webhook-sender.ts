import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatPost, ChatSender, SendOutcome } from '../core/ports.ts';
import { hostOf } from './webhook-url.ts';

/** What differs between the services: which answers mean accepted, and what a refusal asks a person to do. */
export interface WebhookService {
  readonly kind: ChatSender['kind'];
  /** The thing behind the URL, for messages: "the Teams flow", "the Google Chat webhook". */
  readonly name: string;
  accepted(status: number): boolean;
  /** What the record calls an accepted post: the service's message name, or how it answered. */
  messageId(status: number, body: string): string;
  /** What a person should do about a permanent refusal. */
  fix(status: number, urlEnv: string): string;
}

export interface WebhookSenderOptions {
  readonly channel: string;
  readonly url: string;
  /** The environment variable the URL came from: messages name it instead of the URL. */
  readonly urlEnv: string;
  readonly timeoutMs: number;
  readonly maxTries: number;
  readonly maxRetryAfterSeconds: number;
  /** The first wait before a retry when the answer has no `Retry-After`; doubled after each try. */
  readonly backoffMs?: number;
}

/** Connection errors that mean the request never reached the endpoint: nothing can have been posted. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Posts JSON to a chat webhook. 2xx the service accepts: sent. 429 and 5xx: tried again within the
 * post, after `Retry-After` or a doubling backoff, up to `maxTries`; then a temporary failure, tried
 * again next cycle. Other 4xx: a permanent failure that says what to fix. No answer in time, or a
 * connection dropped after the request went out: outcome unknown, never posted again blindly.
 * Nothing it returns contains the URL.
 */
export class WebhookChatSender implements ChatSender {
  readonly kind: ChatSender['kind'];
  readonly channel: string;
  private readonly service: WebhookService;
  private readonly options: WebhookSenderOptions;

  constructor(service: WebhookService, options: WebhookSenderOptions) {
    this.service = service;
    this.kind = service.kind;
    this.channel = options.channel;
    this.options = options;
  }

  describe(): string {
    return `${this.kind} channel ${this.channel} (${hostOf(this.options.url)})`;
  }

  async post(post: ChatPost): Promise<SendOutcome> {
    const { maxTries, maxRetryAfterSeconds, backoffMs = 1000 } = this.options;
    const body = JSON.stringify(post.body);
    let last = '';
    for (let attempt = 1; attempt <= maxTries; attempt += 1) {
      const answer = await this.tryOnce(body);
      if ('outcome' in answer) return answer.outcome;
      const { status, retryAfterMs } = answer;
      last = `${this.service.name} answered ${status}`;
      if (attempt === maxTries) break;
      const wait = retryAfterMs ?? backoffMs * 2 ** (attempt - 1);
      if (wait > maxRetryAfterSeconds * 1000) {
        const error = `${last} and asked to wait ${Math.ceil(wait / 1000)} s, longer than maxRetryAfterSeconds (${maxRetryAfterSeconds}): tried again next cycle`;
        return { status: 'failed', error, permanent: false };
      }
      await sleep(wait);
    }
    return { status: 'failed', error: `${last} after ${maxTries} tries: tried again next cycle`, permanent: false };
  }

  /** One request: a final outcome, or a status worth another try. */
  private async tryOnce(
    body: string,
  ): Promise<{ outcome: SendOutcome } | { status: number; retryAfterMs: number | undefined }> {
    const { url, urlEnv, timeoutMs } = this.options;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      return { outcome: this.connectionOutcome(error) };
    }
    const { status } = response;
    const outcome = answerOutcome(this.service, status, text, urlEnv);
    if (outcome) return { outcome };
    return { status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
  }

  /** A fetch that threw: built from the error's code only, since undici's messages may quote the URL. */
  private connectionOutcome(error: unknown): SendOutcome {
    const host = hostOf(this.options.url);
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return {
        status: 'unknown',
        error: `no answer from ${host} within ${this.options.timeoutMs} ms: the post may have reached the channel, so it is not posted again`,
      };
    }
    return connectionErrorOutcome(codeOf(error), host);
  }
}

/**
 * What an HTTP answer means for a post: accepted (sent), refused for good (a 4xx other than 429, with
 * what to fix), or null for an answer worth another try (429, 5xx). Shared with Record Sent, which
 * reads the answer n8n's HTTP Request node got.
 */
export function answerOutcome(
  service: WebhookService,
  status: number,
  body: string,
  urlEnv: string,
): SendOutcome | null {
  if (service.accepted(status)) return { status: 'sent', messageId: service.messageId(status, body) };
  if (status === 429 || status >= 500) return null;
  const error = `${service.name} refused the post (${status}): ${service.fix(status, urlEnv)}`;
  return { status: 'failed', error, permanent: status >= 400 && status < 500 };
}

/**
 * What a request that got no answer means, from the error's code: nothing reached the endpoint (a
 * temporary failure), or the request may have reached it (unknown, never posted again blindly).
 */
export function connectionErrorOutcome(code: string | undefined, host: string): SendOutcome {
  if (code && ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT'].includes(code)) {
    return {
      status: 'unknown',
      error: `no answer from ${host} in time (${code}): the post may have reached the channel, so it is not posted again`,
    };
  }
  if (code && NOT_CONNECTED.has(code)) {
    return {
      status: 'failed',
      error: `could not connect to ${host} (${code}): tried again next cycle`,
      permanent: false,
    };
  }
  return {
    status: 'unknown',
    error: `the connection to ${host} was lost (${code ?? 'no answer'}): the post may have reached the channel, so it is not posted again`,
  };
}

/** The first error code (ECONNREFUSED, UND_ERR_SOCKET) on an error or its causes. */
export function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `Retry-After` in milliseconds: seconds, or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
