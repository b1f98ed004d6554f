import { describe, expect, test } from 'vitest';
import { isPermanentSmtpFailure } from '../../src/core/smtp-status.ts';

describe('isPermanentSmtpFailure', () => {
  test.each([
    // What n8n's Send Email (nodemailer) reports, as text only.
    ["Can't send mail - all recipients were rejected: 550 5.1.1 <x@example.gov>: User unknown", true],
    ['550 5.1.1 mailbox unavailable', true],
    ['Message failed: 554 5.7.1 Service unavailable; client host blocked', true],
    ['Invalid login: 535 5.7.8 Authentication credentials invalid', true],
    ['550-5.1.1 The email account does not exist', true],
    ['rejected: 5.7.1 relaying denied', true],
    ['Mailbox full (5.2.2).', true],
    ["Can't send mail - all recipients were rejected: 450 4.2.0 <x@example.gov>: Greylisted", false],
    ['421 4.7.0 Try again later, closing connection', false],
    ['451 4.3.0 Mail server temporarily rejected message; 550 in its log', false],
    ['4.4.1 connection timed out', false],
    // No SMTP status: a connection that failed is worth retrying, whatever numbers it mentions.
    ['connect ECONNREFUSED 127.0.0.1:550', false],
    ['connect ETIMEDOUT 10.5.1.1:465', false],
    ['Greeting never received after 5000ms', false],
    ['Connection closed unexpectedly', false],
    ['', false],
  ])('%j: permanent %s', (error, permanent) => {
    expect(isPermanentSmtpFailure(error)).toBe(permanent);
  });

  test.each([
    [550, 'No such user', true],
    [451, 'Mailbox busy', false],
    // The relay's own code wins over numbers in the text.
    [451, 'Try again; 5.1.1 was the last answer', false],
  ])('reply code %i with %j: permanent %s', (code, text, permanent) => {
    expect(isPermanentSmtpFailure(`${code} ${text}`, code)).toBe(permanent);
  });
});
