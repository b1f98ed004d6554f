import { z } from 'zod/v4';
import { ACTIVITY_KINDS, type ActivityEvent, type ActivityKind } from './activity.ts';
import type { IsoDate } from './dates.ts';
import { NOTIFICATION_KINDS, type PlannedNotification } from './notifications.ts';
import type { SendOutcome } from './ports.ts';

/** The kinds of line a send adds beside its own: what the repeat rules remember of it. */
const SENT_KINDS: readonly ActivityKind[] = [
  'reminder-sent',
  'escalation-sent',
  'dispute-escalation-sent',
  'disposition-escalation-sent',
  'liaison-notice-sent',
  'task-reminder-sent',
];

const SentLineSchema = z.object({
  on: z.iso.date(),
  bucpId: z.string(),
  disputeId: z.string(),
  kind: z.enum(ACTIVITY_KINDS).refine((kind) => SENT_KINDS.includes(kind), {
    error: `must be one of ${SENT_KINDS.join(', ')}`,
  }),
  from: z.string(),
  to: z.string(),
  detail: z.string(),
  key: z.string().min(1),
  data: z
    .strictObject({
      due: z.iso.date().optional(),
      end: z.iso.date().optional(),
      point: z.number().int().optional(),
      approved: z.iso.date().optional(),
      taskId: z.string().min(1).optional(),
    })
    .optional(),
});

/**
 * What recording a message's outcome needs, as plain data made when it was planned: where it went,
 * the day it was planned for, and the Activity Log lines its sending adds. A handed-over message
 * carries it to Record Sent, which records from it and never from a fresh plan: by then the day may
 * have changed, or staff may have changed or deleted the rows the message was about.
 */
export const SendRecordSchema = z
  .object({
    idempotencyKey: z.string().min(1),
    kind: z.enum(NOTIFICATION_KINDS),
    to: z.array(z.string().min(1)).min(1).readonly(),
    cc: z.array(z.string().min(1)).readonly(),
    bucpIds: z.array(z.string().min(1)).readonly(),
    disputeId: z.string().min(1).nullable(),
    subject: z.string(),
    on: z.iso.date(),
    onSent: z.array(SentLineSchema).readonly(),
  })
  .readonly();
export type SendRecord = z.infer<typeof SendRecordSchema>;

/** A planned message's record. */
export function sendRecordOf(n: PlannedNotification, subject: string, today: IsoDate): SendRecord {
  return {
    idempotencyKey: n.key,
    kind: n.kind,
    to: n.to,
    cc: n.cc,
    bucpIds: n.bucpIds,
    disputeId: n.disputeId,
    subject,
    on: today,
    onSent: n.onSent,
  };
}

/** The Activity Log lines that remember what happened to a message: its outcome, and what a send adds. */
export function outcomeEvents(record: SendRecord, outcome: SendOutcome): Omit<ActivityEvent, 'at'>[] {
  const base = {
    on: record.on,
    bucpId: record.bucpIds.length === 1 ? record.bucpIds[0]! : '',
    disputeId: record.disputeId ?? '',
    from: record.kind,
    to: [...record.to, ...record.cc].join(', '),
    key: record.idempotencyKey,
  };
  if (outcome.status === 'sent') {
    const rejected = outcome.rejected?.length ? `; refused by the relay: ${outcome.rejected.join(', ')}` : '';
    return [
      { ...base, kind: 'notification-sent', detail: `Message-ID ${outcome.messageId}${rejected}` },
      ...record.onSent,
    ];
  }
  if (outcome.status === 'unknown') {
    return [
      { ...base, kind: 'notification-unknown', detail: `outcome unknown, not resent: ${outcome.error}` },
      ...record.onSent,
    ];
  }
  // The Detail says it for people; the Data column keeps what the retry rules read.
  const detail = `${outcome.permanent ? 'permanent' : 'temporary'}: ${outcome.error}`;
  const data = { permanent: outcome.permanent, error: outcome.error };
  return [{ ...base, kind: 'notification-failed', detail, data }];
}
