import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { eventsProperty, watchTracker } from '../../shared/watch.ts';
import { type BucpPollContext, credentialDescriptions, pollSource, trackerProperties } from '../../transport/index.ts';

/**
 * Polls the tracker and emits one item per change since the last poll. What it has seen lives in
 * the workflow's static data, so each change is emitted once. The first poll only learns.
 */
export async function pollTracker(this: BucpPollContext): Promise<INodeExecutionData[][] | null> {
  const events = new Set(this.getNodeParameter('events', []) as string[]);
  const items = await watchTracker(pollSource(this), this.getWorkflowStaticData('node'), events);
  return items.length > 0 ? [items] : null;
}

export class BucpTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'BUCP Trigger',
    name: 'bucpTrigger',
    icon: 'file:bucp.svg',
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["events"].join(", ") }}',
    description: 'Starts a workflow when a proposal changes stage, becomes stalled, or gets a new dispute',
    defaults: { name: 'BUCP Trigger' },
    polling: true,
    inputs: [],
    outputs: ['main'],
    credentials: credentialDescriptions,
    properties: [eventsProperty(), ...trackerProperties],
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    return pollTracker.call(this);
  }
}
