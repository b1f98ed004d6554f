import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { type WatchState, detectChanges } from '../../core/changes.ts';
import { readAndPlan } from '../../jobs/run-cycle.job.ts';
import { type TrackerSource, clock, openTracker, plain } from '../transport/index.ts';

const EVENTS = [
  { name: 'Stage Changed', value: 'stage-changed', description: 'A proposal moved to another stage' },
  { name: 'Became Stalled', value: 'became-stalled', description: 'A proposal became Stalled or Escalated' },
  { name: 'New Dispute', value: 'new-dispute', description: 'A dispute was added to the Disputes tab' },
];

export const eventsProperty = (show?: INodeProperties['displayOptions']): INodeProperties => ({
  displayName: 'Events',
  name: 'events',
  type: 'multiOptions',
  options: EVENTS,
  default: EVENTS.map((e) => e.value),
  description: 'The changes to report',
  ...(show ? { displayOptions: show } : {}),
});

/**
 * The key of the watcher's memory in the node's own static data. For the trigger, n8n keeps a
 * polling node's static data as its poll cursor: committed after every poll, even one that emits
 * nothing, and carried across restarts and between instances.
 */
const MEMORY_KEY = 'bucpWatchState';

/** Reads the tracker, reports what changed since the memory was last updated, and updates it. */
export async function watchTracker(
  source: TrackerSource,
  memory: IDataObject,
  events: ReadonlySet<string>,
): Promise<INodeExecutionData[]> {
  const tracker = await openTracker(source);
  const plan = await readAndPlan(tracker, { now: clock(tracker.logger) });
  const previous = memory[MEMORY_KEY] as WatchState | undefined;
  const { changes, state } = detectChanges(previous, plan.evaluation);
  memory[MEMORY_KEY] = state as unknown as IDataObject;
  const wanted = changes.filter((c) => events.size === 0 || events.has(c.change));
  tracker.logger.info(
    { changes: changes.length, reported: wanted.length, firstLook: !previous },
    previous ? `tracker watched: ${wanted.length} change(s) to report` : 'tracker watched: first look, learning',
  );
  return wanted.map((c) => ({ json: plain({ today: plan.today, ...c }) }));
}
