import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { type WatchState, detectChanges } from '../../../core/changes.ts';
import { readAndPlan } from '../../../jobs/run-cycle.job.ts';
import {
  type BucpPollContext,
  clock,
  credentialDescriptions,
  openTracker,
  pollSource,
  trackerProperties,
} from '../../transport/index.ts';

const EVENTS = [
  { name: 'Stage Changed', value: 'stage-changed', description: 'A proposal moved to another stage' },
  { name: 'Became Stalled', value: 'became-stalled', description: 'A proposal became Stalled or Escalated' },
  { name: 'New Dispute', value: 'new-dispute', description: 'A dispute was added to the Disputes tab' },
];

/**
 * Polls the tracker and emits one item per change since the last poll. What it has seen lives in
 * the workflow's static data, so each change is emitted once. The first poll only learns.
 */
export async function pollTracker(this: BucpPollContext): Promise<INodeExecutionData[][] | null> {
  const events = new Set(this.getNodeParameter('events', []) as string[]);
  const tracker = await openTracker(pollSource(this));
  const plan = await readAndPlan(tracker, { now: clock(tracker.logger) });
  const staticData = this.getWorkflowStaticData('node');
  const previous = staticData.watchState as WatchState | undefined;
  const { changes, state } = detectChanges(previous, plan.evaluation);
  staticData.watchState = state as unknown as IDataObject;
  const wanted = changes.filter((c) => events.size === 0 || events.has(c.change));
  tracker.logger.info({ changes: changes.length, emitted: wanted.length, firstPoll: !previous }, 'tracker polled');
  if (wanted.length === 0) return null;
  return [wanted.map((c) => ({ json: JSON.parse(JSON.stringify({ today: plan.today, ...c })) as IDataObject }))];
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
    properties: [
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        options: EVENTS,
        default: EVENTS.map((e) => e.value),
        description: 'The changes that start the workflow',
      },
      ...trackerProperties,
    ],
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    return pollTracker.call(this);
  }
}
