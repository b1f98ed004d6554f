import { describe, expect, test } from 'vitest';
import { DEFAULT_AIRTABLE_RETRY, airtableBackoff, translateAirtable } from '../../src/stores/airtable/transport.ts';

const context = {
  what: 'update "Proposals"',
  kind: 'write' as const,
  baseId: 'appTracker0000001',
  tokenEnv: 'AIRTABLE_TOKEN',
};
const failure = (status: number | undefined, type: string, message = '') => ({
  status,
  type,
  message,
  retryAfter: null,
});

describe('the wait before the next try', () => {
  test.each([
    ['a 429 without Retry-After: the 30 s Airtable imposes', { status: 429, retryAfter: null }, 0, 30_000],
    ['a 429 with Retry-After: 7', { status: 429, retryAfter: '7' }, 0, 7_000],
    ['a Retry-After past the cap: the cap', { status: 503, retryAfter: '600' }, 0, 60_000],
    ['a 503, first retry: full jitter under 500 ms', { status: 503, retryAfter: null }, 0, 499],
    ['a dropped connection, fourth retry: under 4 s', { status: undefined, retryAfter: null }, 3, 3_999],
    ['a 500, tenth retry: truncated at 16 s', { status: 500, retryAfter: null }, 9, 15_999],
  ])('%s', (_label, f, attempt, expected) => {
    expect(airtableBackoff(attempt, f, DEFAULT_AIRTABLE_RETRY, () => 0.99999)).toBe(expected);
  });

  test('jitter spreads the wait down to nothing', () => {
    expect(airtableBackoff(3, { status: 502, retryAfter: null }, DEFAULT_AIRTABLE_RETRY, () => 0)).toBe(0);
  });
});

describe('Airtable errors become Errors that say what to do', () => {
  test.each([
    [failure(422, 'UNKNOWN_FIELD_NAME', 'Unknown field name: "Row Issues"'), /run `bucp init`/],
    [
      failure(
        422,
        'INVALID_MULTIPLE_CHOICE_OPTIONS',
        'Insufficient permissions to create new select option ""Closed""',
      ),
      /select value not among the field's choices .*"Closed"/,
    ],
    [
      failure(422, 'RECORD_LIMIT_EXCEEDED', 'This base has reached its limit of 50000 records.'),
      /is full: .*record limit.*do not delete Activity Log records/,
    ],
    [failure(401, 'AUTHENTICATION_REQUIRED'), /rejected the token in AIRTABLE_TOKEN/],
    [failure(503, 'SERVICE_UNAVAILABLE'), /still failed after 5 tries .*next cycle will try again/],
    [
      failure(undefined, 'CONNECTION_ERROR', 'socket hang up'),
      /still failed after 5 tries \(CONNECTION_ERROR: socket hang up\)/,
    ],
  ])('%o', (f, message) => {
    const error = translateAirtable(f, context, 5);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(message);
    // A token is the same for both bases; everything else names the base it is about.
    if (f.status !== 401) expect(error.message).toContain('appTracker0000001');
  });

  test.each([
    ['no-base', /found no base appTracker0000001 .*grant the token that base/],
    ['scope', /lacks the scope data\.records:write/],
    ['no-schema-scope', /lacks the scope schema\.bases:read/],
    ['read-only', /may only read that base/],
  ] as const)('a 403 diagnosed as %s', (denied, message) => {
    const error = translateAirtable(failure(403, 'NOT_AUTHORIZED'), { ...context, denied }, 1);
    expect(error.message).toMatch(message);
  });
});
