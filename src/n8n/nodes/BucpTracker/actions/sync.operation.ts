import { runCycle } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, holderFor, openTracker, underLease } from '../../../transport/index.ts';
import { NO_MAILER, type Operation, plain } from './common.ts';

/** Writes the system columns, the Activity Log and the Issues tab. Sends nothing. */
export const sync: Operation = {
  name: 'Sync',
  value: 'sync',
  action: 'Sync system columns and history',
  summary: 'Writes system columns, the Activity Log and the Issues tab',
  description: [],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const report = await underLease(tracker, holderFor(this), () =>
      runCycle({ ...tracker, mailer: NO_MAILER }, { now: clock(tracker.logger), parts: new Set() }),
    );
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
