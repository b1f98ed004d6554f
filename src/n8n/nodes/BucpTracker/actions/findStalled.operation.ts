import { findStalled as findStalledJob } from '../../../../jobs/find-stalled.job.ts';
import { clock, executeSource, openTracker, plain } from '../../../transport/index.ts';
import { type Operation, limitProperties, limited } from './common.ts';

/** One item per proposal that is due soon, stalled or escalated. Reads only. */
export const findStalled: Operation = {
  name: 'Find Stalled',
  value: 'findStalled',
  action: 'Find stalled proposals',
  summary: 'Proposals due soon, stalled or escalated, with business days in stage',
  description: [
    {
      displayName: 'Include Due Soon',
      name: 'includeDueSoon',
      type: 'boolean',
      default: true,
      description: 'Whether to list proposals that are not stalled yet but will be within the due-soon window',
      displayOptions: { show: { operation: ['findStalled'] } },
    },
    ...limitProperties('findStalled'),
  ],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const includeDueSoon = this.getNodeParameter('includeDueSoon', 0, true) as boolean;
    const { today, findings } = await findStalledJob(tracker, { now: clock(tracker.logger), includeDueSoon });
    return limited(this, findings).map((f) => ({ json: plain({ today, ...f }), pairedItem: { item: 0 } }));
  },
};
