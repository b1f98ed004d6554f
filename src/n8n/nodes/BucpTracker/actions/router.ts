import { type INodeExecutionData, type INodeProperties, NodeOperationError } from 'n8n-workflow';
import type { BucpContext } from '../../../transport/index.ts';
import type { Operation } from './common.ts';
import { escalateDisputes } from './escalateDisputes.operation.ts';
import { findChanges } from './findChanges.operation.ts';
import { findStalled } from './findStalled.operation.ts';
import { getProposals } from './getProposals.operation.ts';
import { planChatPosts } from './planChatPosts.operation.ts';
import { planReminders } from './planReminders.operation.ts';
import { recordSent } from './recordSent.operation.ts';
import { rollUpMetrics } from './rollUpMetrics.operation.ts';
import { sync } from './sync.operation.ts';

export const OPERATIONS: readonly Operation[] = [
  getProposals,
  sync,
  findStalled,
  planReminders,
  recordSent,
  escalateDisputes,
  planChatPosts,
  rollUpMetrics,
  findChanges,
];

export const operationProperty: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  options: OPERATIONS.map(({ name, value, action, summary }) => ({ name, value, action, description: summary })),
  default: 'findStalled',
};

/** Runs the chosen operation. With Continue On Fail, a failure becomes an item carrying `error`. */
export async function router(this: BucpContext): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const name = this.getNodeParameter('operation', 0) as string;
  const operation = OPERATIONS.find((o) => o.value === name);
  if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${name}" is not supported`);
  try {
    return [await operation.execute.call(this, items)];
  } catch (error) {
    if (this.continueOnFail()) {
      return [[{ json: { error: (error as Error).message }, pairedItem: { item: 0 } }]];
    }
    if (error instanceof NodeOperationError) throw error;
    throw new NodeOperationError(this.getNode(), error as Error, { description: (error as Error).message });
  }
}
