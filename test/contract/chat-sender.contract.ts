import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ChatSender } from '../../src/core/ports.ts';
import type { WebhookSenderOptions } from '../../src/chat/webhook-sender.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';

/** What a contract run needs from one kind of chat sender. */
export interface ChatSenderContractOptions {
  /** A local endpoint that answers like the service when all is well. */
  readonly endpoint: () => ChatEndpoint;
  readonly open: (options: WebhookSenderOptions) => ChatSender;
  /** How the service answers an accepted post. */
  readonly acceptedStatus: number;
}

const SECRET = 'sig=CANARY-SECRET-0b9d';
const ENV = 'BUCP_CHAT_TEST_URL';
const post = (key: string) => ({ key, kind: 'escalation', body: { text: `about ${key}`, n: [1, 2, 3] } });

/** One suite, run against every ChatSender adapter: what each answer of the endpoint means. */
export function chatSenderContract(name: string, options: ChatSenderContractOptions): void {
  describe(`ChatSender contract: ${name}`, () => {
    let endpoint: ChatEndpoint;
    let url: string;
    const open = (overrides: Partial<WebhookSenderOptions> = {}) =>
      options.open({
        channel: 'team',
        url,
        urlEnv: ENV,
        timeoutMs: 1_000,
        maxTries: 3,
        maxRetryAfterSeconds: 5,
        backoffMs: 50,
        ...overrides,
      });
    /** Nothing a sender returns may carry the URL or its secret. */
    const expectNoSecret = (value: unknown) => {
      const text = JSON.stringify(value);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(url);
    };

    beforeEach(async () => {
      endpoint = await options.endpoint().start();
      url = endpoint.url(`/hooks/abc?${SECRET}`);
    });
    afterEach(async () => {
      await endpoint.stop();
    });

    test('an accepted post is sent once, with its body as JSON', async () => {
      const outcome = await open().post(post('k-1'));
      expect(outcome.status).toBe('sent');
      expect(endpoint.posts).toHaveLength(1);
      expect(endpoint.posts[0]!.body).toEqual(post('k-1').body);
      expect(endpoint.posts[0]!.contentType).toMatch(/^application\/json/);
      expectNoSecret(outcome);
    });

    test('429 with Retry-After is tried again after the wait, then sent', async () => {
      endpoint.answer({ status: 429, retryAfter: '1' });
      const outcome = await open().post(post('k-2'));
      expect(outcome.status).toBe('sent');
      expect(endpoint.posts).toHaveLength(2);
      expect(endpoint.posts[1]!.at - endpoint.posts[0]!.at).toBeGreaterThanOrEqual(950);
      expect(endpoint.posts[1]!.text).toBe(endpoint.posts[0]!.text);
    });

    test('500 is tried again with backoff, and gives up as a temporary failure after maxTries', async () => {
      endpoint.answer({ status: 500 });
      expect((await open().post(post('k-3'))).status).toBe('sent');
      expect(endpoint.posts).toHaveLength(2);

      endpoint.answer({ status: 500 }, { status: 503 }, { status: 502 });
      const outcome = await open().post(post('k-4'));
      expect(outcome).toMatchObject({ status: 'failed', permanent: false });
      expect(endpoint.posts).toHaveLength(5);
      expectNoSecret(outcome);
    });

    test('a Retry-After longer than allowed leaves the post to the next cycle, without waiting', async () => {
      endpoint.answer({ status: 429, retryAfter: '3600' });
      const outcome = await open().post(post('k-5'));
      expect(outcome).toMatchObject({ status: 'failed', permanent: false });
      expect(outcome.status === 'failed' && outcome.error).toContain('maxRetryAfterSeconds');
      expect(endpoint.posts).toHaveLength(1);
    });

    test.each([400, 401, 403, 404])('%i is a permanent failure that says what to fix, once', async (status) => {
      endpoint.answer({ status });
      const outcome = await open().post(post(`k-${status}`));
      expect(outcome).toMatchObject({ status: 'failed', permanent: true });
      expect(outcome.status === 'failed' && outcome.error).toContain(String(status));
      if (status !== 400) expect(outcome.status === 'failed' && outcome.error).toContain(ENV);
      expect(endpoint.posts).toHaveLength(1);
      expectNoSecret(outcome);
    });

    test('a slow answer is an unknown outcome, never tried again', async () => {
      endpoint.answer({ slowMs: 1_500, status: options.acceptedStatus });
      const outcome = await open({ timeoutMs: 300 }).post(post('k-slow'));
      expect(outcome.status).toBe('unknown');
      expect(endpoint.posts).toHaveLength(1);
      expectNoSecret(outcome);
    });

    test('a connection dropped after the post is an unknown outcome, never tried again', async () => {
      endpoint.answer({ drop: true });
      const outcome = await open().post(post('k-drop'));
      expect(outcome.status).toBe('unknown');
      expect(endpoint.posts).toHaveLength(1);
      expectNoSecret(outcome);
    });

    test('an endpoint that cannot be reached is a temporary failure: nothing was posted', async () => {
      await endpoint.stop();
      const outcome = await open().post(post('k-down'));
      expect(outcome).toMatchObject({ status: 'failed', permanent: false });
      expectNoSecret(outcome);
      expectNoSecret(open().describe());
    });
  });
}
