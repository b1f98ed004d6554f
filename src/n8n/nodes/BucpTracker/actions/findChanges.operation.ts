import { eventsProperty, watchTracker } from '../../../shared/watch.ts';
import { executeSource } from '../../../transport/index.ts';
import type { Operation } from './common.ts';

/**
 * What the BUCP Trigger reports, on demand: the changes since this node last looked. It keeps its
 * own memory (its node's static data, saved after each run), apart from any trigger's.
 */
export const findChanges: Operation = {
  name: 'Find Changes',
  value: 'findChanges',
  action: 'Find changes since the last look',
  summary: 'Stage changes, newly stalled proposals and new disputes since this node last looked',
  description: [eventsProperty({ show: { operation: ['findChanges'] } })],
  async execute() {
    const events = new Set(this.getNodeParameter('events', 0, []) as string[]);
    const items = await watchTracker(executeSource(this), this.getWorkflowStaticData('node'), events);
    return items.map((item) => ({ ...item, pairedItem: { item: 0 } }));
  },
};
