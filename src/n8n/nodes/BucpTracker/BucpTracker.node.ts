import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { credentialDescriptions, trackerProperties } from '../../transport/index.ts';
import { OPERATIONS, operationProperty, router } from './actions/router.ts';

export class BucpTracker implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'BUCP Tracker',
    name: 'bucpTracker',
    icon: 'file:bucp.svg',
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["operation"] }}',
    description: 'Tracks Business Use Case Proposals: stalls, reminders, dispute escalation and metrics',
    defaults: { name: 'BUCP Tracker' },
    inputs: ['main'],
    outputs: ['main'],
    credentials: credentialDescriptions,
    properties: [operationProperty, ...trackerProperties, ...OPERATIONS.flatMap((o) => o.description)],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
