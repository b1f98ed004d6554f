import { type INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import { type HandoffOutcome, recordOutcomes } from '../../../../jobs/record-outcomes.job.ts';
import { clock, executeSource, holderFor, openTracker, plain, underLease } from '../../../transport/index.ts';
import { type Operation } from './common.ts';

const show = { show: { operation: ['recordSent'] } };

/**
 * Records what Send Email did with each planned message: sent (with its Message-ID) or failed
 * (an item carrying `error`, from a Send Email set to continue on error). Recording twice is harmless.
 */
export const recordSent: Operation = {
  name: 'Record Sent',
  value: 'recordSent',
  action: 'Record sent emails',
  summary: 'Marks planned messages sent (or failed) in the Activity Log',
  description: [
    {
      displayName: 'Idempotency Key',
      name: 'idempotencyKey',
      type: 'string',
      default: '={{ $json.idempotencyKey }}',
      required: true,
      description:
        "The key Plan Reminders or Escalate Disputes gave the message. After Send Email, read it from the planning node: {{ $('Plan Reminders').item.json.idempotencyKey }}.",
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
      const key = String(this.getNodeParameter('idempotencyKey', index, '') ?? '').trim();
      if (!key) return fail(index, 'This item has no idempotency key: set Idempotency Key to the planning node’s');
      const error = item.json.error;
      outcomes.push({
        index,
        outcome: error
          ? {
              idempotencyKey: key,
              status: 'failed',
              error: typeof error === 'string' ? error : JSON.stringify(error),
              permanent: false,
            }
          : {
              idempotencyKey: key,
              status: 'sent',
              messageId: String(this.getNodeParameter('messageId', index, '') ?? '') || '(not reported)',
            },
      });
    });
    if (outcomes.length > 0) {
      const tracker = await openTracker(executeSource(this));
      const report = await underLease(tracker, holderFor(this), (leased) =>
        recordOutcomes(leased, { now: clock(tracker.logger), outcomes: outcomes.map((o) => o.outcome) }),
      );
      report.recorded.forEach((recorded, n) => {
        const { index } = outcomes[n]!;
        if (recorded.result === 'unknown') {
          fail(index, `No planned message has the idempotency key ${recorded.idempotencyKey}`);
          return;
        }
        results[index] = { json: plain(recorded), pairedItem: { item: index } };
      });
    }
    return results.filter((r) => r !== undefined);
  },
};
