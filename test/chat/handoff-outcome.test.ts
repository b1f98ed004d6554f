import { expect, test } from 'vitest';
import { httpRequestOutcome } from '../../src/chat/handoff-outcome.ts';

/** n8n HTTP Request items, as the node gives them with Continue On Error, read by Record Sent's rules. */
test.each([
  ['teams', { name: undefined }, { status: 'sent' }],
  ['google-chat', { name: 'spaces/A/messages/1' }, { status: 'sent' }],
  ['teams', { error: { httpCode: '404', message: '404 - "Not Found"' } }, { status: 'failed', permanent: true }],
  ['google-chat', { error: { message: '403 - {"error":{"code":403}}' } }, { status: 'failed', permanent: true }],
  ['teams', { error: { status: 400 } }, { status: 'failed', permanent: true }],
  ['teams', { error: { httpCode: '429', message: 'Too many requests' } }, { status: 'failed', permanent: false }],
  [
    'google-chat',
    { error: { message: 'Request failed with status code 503' } },
    { status: 'failed', permanent: false },
  ],
  [
    'teams',
    { error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } },
    { status: 'failed', permanent: false },
  ],
  ['teams', { error: { message: 'timeout of 15000ms exceeded' } }, { status: 'unknown' }],
  ['teams', { error: { code: 'ECONNRESET', message: 'socket hang up' } }, { status: 'unknown' }],
] as const)('%s: %j', (kind, json, expected) => {
  const outcome = httpRequestOutcome(
    kind,
    json as Record<string, unknown>,
    'BUCP_URL',
    String((json as { name?: string }).name ?? ''),
  );
  expect(outcome).toMatchObject(expected);
  if (outcome.status === 'failed' && outcome.permanent) expect(outcome.error).toMatch(/refused the post \(\d{3}\)/);
});

test('what Record Sent writes quotes no part of n8n’s error text, which may hold the URL', () => {
  const outcome = httpRequestOutcome(
    'teams',
    {
      error: {
        httpCode: '404',
        message: '404 - https://x.logic.azure.com/workflows/1?sig=SECRET',
        description: 'sig=SECRET',
      },
    },
    'BUCP_URL',
    '',
  );
  expect(JSON.stringify(outcome)).not.toContain('SECRET');
  const lost = httpRequestOutcome(
    'teams',
    { error: { message: 'read ECONNRESET at https://h/?sig=SECRET' } },
    'BUCP_URL',
    '',
  );
  expect(lost.status).toBe('unknown');
  expect(JSON.stringify(lost)).not.toContain('SECRET');
});
