import { createHash } from 'node:crypto';

/**
 * One Message-ID per idempotency key: if a message is ever sent twice (a crash between the send
 * and its record), receiving systems that drop duplicate Message-IDs show it once.
 */
export function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'bucp-tracker.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}
