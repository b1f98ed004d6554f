import type { Mailer, OutgoingMessage, SendOutcome } from '../../src/core/ports.ts';

/** One `send` the cycle asked of the mailer, and its answer (none when the send threw). */
export interface SendCall {
  readonly key: string;
  outcome?: SendOutcome;
}

/**
 * A pass-through mailer that records every send it is asked for. The outbox and SMTP mailers answer a
 * key they already hold with `duplicate` and send nothing, so their files cannot show that a cycle asked
 * again: these calls can.
 */
export class RecordingMailer implements Mailer {
  readonly kind: string;
  readonly calls: SendCall[] = [];
  private readonly inner: Mailer;

  constructor(inner: Mailer) {
    this.inner = inner;
    this.kind = inner.kind;
  }

  describe(): string {
    return this.inner.describe();
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    // Recorded before the send: a send that throws was still asked for.
    const call: SendCall = { key: message.key };
    this.calls.push(call);
    call.outcome = await this.inner.send(message);
    return call.outcome;
  }

  /** How many times each key was asked for. */
  timesAsked(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { key } of this.calls) counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }
}

/**
 * Every Activity Log line of one kind, grouped by idempotency key: the time (`At`) of each line, in log
 * order. Unlike a map of rows keyed by ID, it keeps every line: a key logged twice shows as two times.
 */
export function lineTimesByKey(lines: readonly Record<string, unknown>[], kind: string): Record<string, string[]> {
  const byKey: Record<string, string[]> = {};
  for (const line of lines) {
    if (line.Kind !== kind) continue;
    (byKey[String(line['Idempotency Key'])] ??= []).push(String(line.At));
  }
  return byKey;
}
