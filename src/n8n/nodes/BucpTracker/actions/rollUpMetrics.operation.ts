import { runCycle } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, holderFor, openTracker, underLease } from '../../../transport/index.ts';
import { NO_MAILER, type Operation, plain } from './common.ts';

/** Writes the summary tabs and returns the metrics. Sends nothing. */
export const rollUpMetrics: Operation = {
  name: 'Roll Up Metrics',
  value: 'rollUpMetrics',
  action: 'Roll up metrics',
  summary: 'Writes the summary tabs and returns the metrics',
  description: [],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const report = await underLease(tracker, holderFor(this), () =>
      runCycle({ ...tracker, mailer: NO_MAILER }, { now: clock(tracker.logger), parts: new Set(['metrics']) }),
    );
    return [{ json: plain({ today: report.today, ...report.metrics }), pairedItem: { item: 0 } }];
  },
};
