import { z } from 'zod/v4';
import type { ActivityEvent } from './activity.ts';
import type { PlannedChatPost } from './chat.ts';
import { CHAT_KINDS } from './config.ts';
import type { IsoDate } from './dates.ts';
import type { SendOutcome } from './ports.ts';

/**
 * What recording a chat post's outcome needs, made when it was planned (as `SendRecord` is for an
 * email): a handed-over post carries it, with its body, to Record Sent.
 */
export const ChatSendRecordSchema = z
  .object({
    idempotencyKey: z.string().min(1),
    kind: z.enum(CHAT_KINDS),
    channel: z.string().min(1),
    bucpIds: z.array(z.string().min(1)).readonly(),
    disputeId: z.string().min(1).nullable(),
    title: z.string(),
    on: z.iso.date(),
  })
  .readonly();
export type ChatSendRecord = z.infer<typeof ChatSendRecordSchema>;

export function chatSendRecordOf(post: PlannedChatPost, today: IsoDate): ChatSendRecord {
  return {
    idempotencyKey: post.key,
    kind: post.kind,
    channel: post.channel,
    bucpIds: post.bucpIds,
    disputeId: post.disputeId,
    title: post.title,
    on: today,
  };
}

/** Who a chat post went to, in the Activity Log's To column: the channel's name, never its URL. */
export const chatAddress = (channel: string) => `chat:${channel}`;

/** The base of every line about one post: its intent and its outcome. */
function lineBase(record: ChatSendRecord) {
  return {
    on: record.on,
    bucpId: record.bucpIds.length === 1 ? record.bucpIds[0]! : '',
    disputeId: record.disputeId ?? '',
    from: record.kind,
    to: chatAddress(record.channel),
    key: record.idempotencyKey,
  };
}

export function chatIntentLine(record: ChatSendRecord): Omit<ActivityEvent, 'at'> {
  return { ...lineBase(record), kind: 'notification-intent', detail: record.title };
}

/** The Activity Log line that remembers what happened to a post: the same kinds as an email's. */
export function chatOutcomeEvents(record: ChatSendRecord, outcome: SendOutcome): Omit<ActivityEvent, 'at'>[] {
  const base = lineBase(record);
  if (outcome.status === 'sent') return [{ ...base, kind: 'notification-sent', detail: outcome.messageId }];
  if (outcome.status === 'unknown') {
    return [{ ...base, kind: 'notification-unknown', detail: `outcome unknown, not posted again: ${outcome.error}` }];
  }
  const detail = `${outcome.permanent ? 'permanent' : 'temporary'}: ${outcome.error}`;
  return [
    { ...base, kind: 'notification-failed', detail, data: { permanent: outcome.permanent, error: outcome.error } },
  ];
}
