import { type Operation, cycleUnderLease } from './common.ts';
import { plain } from '../../../transport/index.ts';

/** Writes the system columns, the Activity Log and the Issues tab. Sends nothing. */
export const sync: Operation = {
  name: 'Sync',
  value: 'sync',
  action: 'Sync system columns and history',
  summary: 'Writes system columns, the Activity Log and the Issues tab',
  description: [],
  async execute() {
    const report = await cycleUnderLease(this, { parts: new Set() });
    return [
      {
        json: plain({
          today: report.today,
          businessDay: report.businessDay,
          proposals: report.proposals,
          rowIssues: report.rowIssues.length,
          writes: report.writes,
        }),
        pairedItem: { item: 0 },
      },
    ];
  },
};
