import { describe, expect, test } from 'vitest';
import { type RetryPolicy, backoffDelay, translate, withRetry } from '../../src/stores/google/transport.ts';
import { readValueRanges } from '../../src/stores/google/value-ranges.ts';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('backoff', () => {
  test.each([
    // attempt, Retry-After, random, expected delay
    [0, null, 0.999, 99],
    [1, null, 0.5, 100],
    [3, null, 0.999, 799],
    [6, null, 0.999, 999], // truncated at maxDelayMs
    [0, '2', 0.5, 2000], // Google's Retry-After wins
    [0, '60', 0.5, 5000], // but is capped
    [2, 'soon', 0.5, 200], // an unreadable header falls back to backoff
  ] as const)('attempt %i, Retry-After %s → %i ms', (attempt, retryAfter, random, expected) => {
    expect(backoffDelay(attempt, policy, retryAfter, () => random)).toBe(expected);
  });
});

describe('retries and translated errors', () => {
  const context = {
    what: 'values.batchGet',
    spreadsheetId: 'sheet-123',
    accountEmail: 'bucp@project.iam.gserviceaccount.com',
  };
  const httpError = (status: number, googleStatus = '', message = 'boom') =>
    Object.assign(new Error(message), {
      response: { status, headers: {}, data: { error: { status: googleStatus, message } } },
    });

  test('retries 429 and 5xx up to the bound, then says the next cycle will try again', async () => {
    let calls = 0;
    const fast = { ...policy, baseDelayMs: 1 };
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw httpError(503);
        },
        context,
        fast,
      ),
    ).rejects.toThrow(/still failed after 4 tries.*next cycle/);
    expect(calls).toBe(4);
  });

  test('a success after faults returns the result', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw httpError(calls === 1 ? 429 : 500);
        return 'ok';
      },
      context,
      { ...policy, baseDelayMs: 1 },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  test('an answer that ended early (cut off in transit) is tried again', async () => {
    let calls = 0;
    const chunks = async function* () {
      yield new TextEncoder().encode('{"valueRanges":[{"values":[["B-1"],["B-');
    };
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) await readValueRanges(chunks(), () => {});
        return 'read';
      },
      context,
      { ...policy, baseDelayMs: 1 },
    );
    expect([result, calls]).toEqual(['read', 2]);
  });

  test.each([
    [403, 'PERMISSION_DENIED', /share it with bucp@project\.iam\.gserviceaccount\.com as an Editor/],
    [404, 'NOT_FOUND', /No spreadsheet sheet-123/],
    [400, 'INVALID_ARGUMENT', /run `bucp init`/, "Unable to parse range: 'Proposals'"],
    [401, 'UNAUTHENTICATED', /rejected the credentials/],
  ])('%i %s is not retried and says what to do', async (status, googleStatus, expected, message = 'no') => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls += 1;
        throw httpError(status, googleStatus, message);
      },
      context,
      policy,
    ).catch((e: Error) => e);
    expect(calls).toBe(1);
    expect((error as Error).message).toMatch(expected);
    expect(translate(httpError(status, googleStatus, message), context, 1).retryable).toBe(false);
  });
});
