import { eventsProperty, watchTracker } from '../../../shared/watch.ts';
import { executeSource } from '../../../transport/index.ts';
import type { Operation } from './common.ts';

/**
 * What the BUCP Trigger reports, on demand: changes since the workflow last looked. It shares the
 * trigger's memory, so a manual run and the polling trigger never report the same change twice.
 */
export const findChanges: Operation = {
  name: 'Find Changes',
  value: 'findChanges',
  action: 'Find changes since the last look',
  summary: 'Stage changes, newly stalled proposals and new disputes since the workflow last looked',
  description: [eventsProperty({ show: { operation: ['findChanges'] } })],
  async execute() {
    const events = new Set(this.getNodeParameter('events', 0, []) as string[]);
    const items = await watchTracker(executeSource(this), this.getWorkflowStaticData('global'), events);
    return items.map((item) => ({ ...item, pairedItem: { item: 0 } }));
  },
};
