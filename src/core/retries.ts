import { TABS } from './contract.ts';
import type { History } from './history.ts';
import type { PlannedNotification } from './notifications.ts';
import type { RowIssue } from './schema.ts';

export interface RetryRules {
  /** Wait before the first retry of a permanent failure; doubled after each further one. */
  readonly permanentBackoffMinutes: number;
  /** Sends of one notification before it is given up and left to a person. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_RULES: RetryRules = { permanentBackoffMinutes: 30, maxAttempts: 5 };

/** What the retry rules need of a notification: an email, or a chat post (which names its channel). */
export interface Retryable {
  readonly key: string;
  readonly kind: string;
  readonly bucpIds: readonly string[];
  readonly disputeId: string | null;
  readonly to?: readonly string[];
  readonly channel?: string;
}

export interface RetryGate<N extends Retryable = PlannedNotification> {
  readonly send: readonly N[];
  /** Waiting out a backoff after a permanent failure. */
  readonly deferred: readonly N[];
  /** Failed as often as the rules allow: never sent again by the service. */
  readonly givenUp: readonly N[];
  readonly issues: readonly RowIssue[];
}

/**
 * Which planned notifications to send now. A temporary failure (4xx, a dropped connection) is
 * retried on the next cycle; a permanent one (5xx) waits 30, 60, 120 … minutes; either is given up
 * after the attempt cap. Waiting and given-up messages become lines on the Issues tab.
 */
export function gateRetries<N extends Retryable>(
  planned: readonly N[],
  history: History,
  now: Date,
  rules: RetryRules = DEFAULT_RETRY_RULES,
): RetryGate<N> {
  const send: N[] = [];
  const deferred: N[] = [];
  const givenUp: N[] = [];
  const issues: RowIssue[] = [];
  for (const n of planned) {
    const failure = history.notifications.failures.get(n.key);
    if (!failure) {
      send.push(n);
      continue;
    }
    const about = n.disputeId
      ? `dispute ${n.disputeId}`
      : n.bucpIds.length === 1
        ? n.bucpIds[0]!
        : `${n.bucpIds.length} proposals`;
    const issue = (severity: RowIssue['severity'], message: string): RowIssue => ({
      tab: n.disputeId ? TABS.disputes : TABS.proposals,
      row: 0,
      id: n.disputeId ?? (n.bucpIds.length === 1 ? n.bucpIds[0]! : null),
      column: n.channel ? 'Chat' : 'Email',
      severity,
      message,
    });
    const what = n.channel
      ? `The ${n.kind} post to chat channel ${n.channel}`
      : `The ${n.kind} email to ${(n.to ?? []).join(', ')}`;
    const fix = n.channel
      ? 'check the channel and its webhook, then post it by hand'
      : 'check the address, then send it by hand';
    if (failure.count >= rules.maxAttempts) {
      givenUp.push(n);
      issues.push(
        issue(
          'error',
          `${what} about ${about} failed ${failure.count} times (${failure.error}); it will not be retried: ${fix}`,
        ),
      );
      continue;
    }
    if (failure.permanent) {
      const wait = rules.permanentBackoffMinutes * 2 ** (failure.count - 1) * 60_000;
      const retryAt = new Date(Date.parse(failure.lastAt) + wait);
      if (now < retryAt) {
        deferred.push(n);
        issues.push(
          issue(
            'warning',
            `${what} about ${about} was refused (${failure.error}); next try after ${retryAt.toISOString()}`,
          ),
        );
        continue;
      }
    }
    send.push(n);
  }
  return { send, deferred, givenUp, issues };
}

/**
 * When mail is handed to another sender (an n8n Send Email node), a recorded intent is a claim:
 * until its outcome is recorded, or the claim is older than `claimMinutes`, the message is in
 * flight and no second execution plans it again. An abandoned claim (a crash between sending and
 * recording) is planned again once it expires.
 */
export function holdInFlight<N extends Retryable>(
  planned: readonly N[],
  history: History,
  now: Date,
  claimMinutes: number,
): { send: N[]; inFlight: N[] } {
  const send: N[] = [];
  const inFlight: N[] = [];
  for (const n of planned) {
    const claimedAt = history.notifications.intents.get(n.key);
    const failedAt = history.notifications.failures.get(n.key)?.lastAt;
    const claimed =
      claimedAt !== undefined &&
      Date.parse(claimedAt) + claimMinutes * 60_000 > now.getTime() &&
      (failedAt === undefined || Date.parse(failedAt) < Date.parse(claimedAt));
    (claimed ? inFlight : send).push(n);
  }
  return { send, inFlight };
}
