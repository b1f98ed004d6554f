import { type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import { type SendRecord, SendRecordSchema } from '../../../../core/send-record.ts';
import { type ChatSendRecord, ChatSendRecordSchema } from '../../../../core/chat-record.ts';
import { httpRequestOutcome } from '../../../../chat/handoff-outcome.ts';
import { isPermanentSmtpFailure } from '../../../../core/smtp-status.ts';
import { type HandoffOutcome, recordOutcomes } from '../../../../jobs/record-outcomes.job.ts';
import { clock, executeSource, holderFor, openTracker, plain, underLease } from '../../../transport/index.ts';
import { type Operation } from './common.ts';

const show = { show: { operation: ['recordSent'] } };
const FROM_PLANNER = "{{ $('Plan Reminders').item.json }}";

/**
 * Records what Send Email did with each planned message: sent (with its Message-ID) or failed
 * (an item carrying `error`, from a Send Email set to continue on error). What is recorded comes from
 * the planned item's `record`, never from planning again. Recording twice is harmless.
 */
export const recordSent: Operation = {
  name: 'Record Sent',
  value: 'recordSent',
  action: 'Record sent emails',
  summary: 'Marks planned messages sent (or failed) in the Activity Log',
  description: [
    {
      displayName: 'Planned Message',
      name: 'plannedMessage',
      type: 'json',
      default: '={{ $json }}',
      required: true,
      description: `The item Plan Reminders or Escalate Disputes gave the message: its record says what to write. After Send Email, read it from the planning node: ${FROM_PLANNER}.`,
      displayOptions: show,
    },
    {
      displayName: 'Message ID',
      name: 'messageId',
      type: 'string',
      default: '={{ $json.messageId }}',
      description: 'The Message-ID Send Email reports',
      displayOptions: show,
    },
  ],
  async execute(items) {
    const outcomes: { index: number; outcome: HandoffOutcome }[] = [];
    const results: INodeExecutionData[] = [];
    const fail = (index: number, message: string) => {
      if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), message, { itemIndex: index });
      results[index] = { json: { error: message }, pairedItem: { item: index } };
    };
    items.forEach((item, index) => {
      const planned = plannedRecord(this.getNodeParameter('plannedMessage', index, null));
      if (!planned.ok) return fail(index, planned.error);
      const { record } = planned;
      if (planned.chat) {
        const { service, webhookUrlEnv } = planned.chat;
        const messageId = String(this.getNodeParameter('messageId', index, '') ?? '');
        const outcome = httpRequestOutcome(service, item.json, webhookUrlEnv, messageId);
        outcomes.push({
          index,
          outcome:
            outcome.status === 'sent'
              ? { record, status: 'sent', messageId: outcome.messageId }
              : outcome.status === 'unknown'
                ? { record, status: 'unknown', error: outcome.error }
                : { record, status: 'failed', error: outcome.error, permanent: outcome.permanent },
        });
        return;
      }
      const error = item.json.error;
      if (error) {
        const text = typeof error === 'string' ? error : JSON.stringify(error);
        outcomes.push({
          index,
          outcome: { record, status: 'failed', error: text, permanent: isPermanentSmtpFailure(text) },
        });
        return;
      }
      const messageId = String(this.getNodeParameter('messageId', index, '') ?? '') || '(not reported)';
      outcomes.push({ index, outcome: { record, status: 'sent', messageId } });
    });
    if (outcomes.length > 0) {
      const tracker = await openTracker(executeSource(this));
      const report = await underLease(tracker, holderFor(this), (leased) =>
        recordOutcomes(leased, { now: clock(tracker.logger), outcomes: outcomes.map((o) => o.outcome) }),
      );
      report.recorded.forEach((recorded, n) => {
        const { index } = outcomes[n]!;
        if (recorded.result === 'unknown') {
          fail(
            index,
            `This tracker never handed over a message with the idempotency key ${recorded.idempotencyKey} (its Activity Log holds no claim for it): give Record Sent the same tracker as the planning node`,
          );
          return;
        }
        results[index] = { json: plain(recorded), pairedItem: { item: index } };
      });
    }
    return results.filter((r) => r !== undefined);
  },
};

/**
 * The record a planned item carries, validated, or an error that says what to fix. An item planned
 * before items carried their record (an older version of the node) has none: it is refused, not
 * guessed at from the tracker as it is now.
 */
type Planned =
  | { ok: true; record: SendRecord; chat?: undefined }
  | { ok: true; record: ChatSendRecord; chat: { service: 'teams' | 'google-chat'; webhookUrlEnv: string } }
  | { ok: false; error: string };

function plannedRecord(value: unknown): Planned {
  let item = value;
  if (typeof item === 'string') {
    try {
      item = item.trim() === '' ? null : JSON.parse(item);
    } catch {
      return {
        ok: false,
        error: `Planned Message is not JSON: set it to the planning node's item, for example ${FROM_PLANNER}`,
      };
    }
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return {
      ok: false,
      error: `Planned Message is empty: set it to the planning node's item, for example ${FROM_PLANNER}`,
    };
  }
  const { idempotencyKey, record } = item as { idempotencyKey?: unknown; record?: unknown };
  if (record === undefined) {
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
      return {
        ok: false,
        error: `Planned Message is not a planned message (it has no idempotencyKey and no record): set it to the planning node's item, for example ${FROM_PLANNER}. After Send Email, {{ $json }} is Send Email's own output.`,
      };
    }
    return {
      ok: false,
      error: `The planned message ${idempotencyKey} carries no record of what to write, so nothing was recorded: it was planned by an older version of the BUCP nodes (update them on every n8n instance), or Planned Message is not the planning node's item (${FROM_PLANNER}). The message is planned again once its claim runs out.`,
    };
  }
  if (record && typeof record === 'object' && 'channel' in record) return plannedChatRecord(item, record);
  const parsed = SendRecordSchema.safeParse(record);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `record.${i.path.map(String).join('.')}: ${i.message}`);
    return {
      ok: false,
      error: `The planned message ${typeof idempotencyKey === 'string' ? `${idempotencyKey} ` : ''}has a malformed record (${problems.join('; ')}): pass the planning node's item unchanged`,
    };
  }
  return { ok: true, record: parsed.data };
}

/** A planned chat post (from Plan Chat Posts): its record, and the service and variable its answer is read by. */
function plannedChatRecord(item: object, record: unknown): Planned {
  const { service, webhookUrlEnv, idempotencyKey } = item as Record<string, unknown>;
  const parsed = ChatSendRecordSchema.safeParse(record);
  if (!parsed.success || (service !== 'teams' && service !== 'google-chat') || typeof webhookUrlEnv !== 'string') {
    const problems = parsed.success
      ? ['service or webhookUrlEnv is missing']
      : parsed.error.issues.map((i) => `record.${i.path.map(String).join('.')}: ${i.message}`);
    return {
      ok: false,
      error: `The planned chat post ${typeof idempotencyKey === 'string' ? `${idempotencyKey} ` : ''}is malformed (${problems.join('; ')}): pass Plan Chat Posts' item unchanged, for example {{ $('Plan Chat Posts').item.json }}`,
    };
  }
  return { ok: true, record: parsed.data, chat: { service, webhookUrlEnv } };
}
