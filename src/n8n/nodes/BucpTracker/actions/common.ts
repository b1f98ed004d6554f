import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Mailer } from '../../../../core/ports.ts';
import type { SendRecord } from '../../../../core/send-record.ts';
import {
  type CycleOptions,
  type CyclePart,
  type CycleReport,
  type HandoffMessage,
  runCycle,
} from '../../../../jobs/run-cycle.job.ts';
import {
  type BucpContext,
  clock,
  executeSource,
  holderFor,
  openTracker,
  plain,
  underLease,
} from '../../../transport/index.ts';

/** One operation of the BUCP Tracker node: its parameters and what it does. */
export interface Operation {
  readonly name: string;
  readonly value: string;
  readonly action: string;
  readonly summary: string;
  readonly description: INodeProperties[];
  execute(this: BucpContext, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

/** n8n sends the mail (Send Email); a job that tried to send here would be a bug. */
const NO_MAILER: Mailer = {
  kind: 'n8n',
  send: () => Promise.reject(new Error('In n8n, mail goes through the Send Email node: use Plan Reminders')),
  close: () => Promise.resolve(),
  describe: () => 'n8n Send Email node',
};

/** Runs a cycle under the tracker's lease, on the node's clock. n8n sends the mail, so there is no mailer. */
export async function cycleUnderLease(context: BucpContext, options: Omit<CycleOptions, 'now'>): Promise<CycleReport> {
  const tracker = await openTracker(executeSource(context));
  return underLease(tracker, holderFor(context), (leased) =>
    runCycle({ ...leased, mailer: NO_MAILER }, { ...options, now: clock(tracker.logger) }),
  );
}

/**
 * An operation that plans one part's messages and hands them over: one item per email, each
 * claimed in the Activity Log, to feed to Send Email and then to Record Sent.
 */
export function handoffOperation(spec: Omit<Operation, 'description' | 'execute'> & { part: CyclePart }): Operation {
  const { part, ...names } = spec;
  return {
    ...names,
    description: [claimMinutesProperty(spec.value)],
    async execute() {
      const claimMinutes = this.getNodeParameter('claimMinutes', 0, 30) as number;
      // Chat posts go through Plan Chat Posts: a mail workflow claims none of them.
      const report = await cycleUnderLease(this, { parts: new Set([part]), handoff: { claimMinutes }, only: 'mail' });
      return messageItems(report.handoff);
    },
  };
}

/**
 * One item per handed-over message, shaped for n8n's Send Email node, with the message's `record`:
 * what Record Sent records once Send Email has sent it (see SendRecordSchema).
 */
function messageItems(messages: readonly HandoffMessage[]): INodeExecutionData[] {
  return messages.map((m) => ({
    json: plain({
      idempotencyKey: m.idempotencyKey,
      kind: m.kind,
      to: m.to.join(', '),
      cc: m.cc.join(', '),
      subject: m.subject,
      html: m.html,
      text: m.text,
      bucpIds: m.bucpIds,
      disputeId: m.disputeId,
      record: {
        idempotencyKey: m.idempotencyKey,
        kind: m.kind,
        to: m.to,
        cc: m.cc,
        bucpIds: m.bucpIds,
        disputeId: m.disputeId,
        subject: m.subject,
        on: m.on,
        onSent: m.onSent,
      } satisfies SendRecord,
    }),
    pairedItem: { item: 0 },
  }));
}

export const claimMinutesProperty = (operation: string): INodeProperties => ({
  displayName: 'Claim Minutes',
  name: 'claimMinutes',
  type: 'number',
  default: 30,
  typeOptions: { minValue: 1 },
  description:
    'How long a planned message stays claimed by this execution. Until Record Sent records it, or the claim runs out, no other execution plans it again.',
  displayOptions: { show: { operation: [operation] } },
});

/** n8n's usual Return All and Limit pair, for an operation that lists things. */
export const limitProperties = (operation: string): INodeProperties[] => [
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: true,
    description: 'Whether to return all results or only up to a given limit',
    displayOptions: { show: { operation: [operation] } },
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    default: 50,
    typeOptions: { minValue: 1 },
    description: 'Max number of results to return',
    displayOptions: { show: { operation: [operation], returnAll: [false] } },
  },
];

/** The first `limit` items unless Return All is on. */
export function limited<T>(context: BucpContext, items: T[]): T[] {
  if (context.getNodeParameter('returnAll', 0, true) as boolean) return items;
  return items.slice(0, context.getNodeParameter('limit', 0, 50) as number);
}
