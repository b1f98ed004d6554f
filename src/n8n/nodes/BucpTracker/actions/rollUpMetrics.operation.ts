import { type Operation, cycleUnderLease } from './common.ts';
import { plain } from '../../../transport/index.ts';

/** Writes the summary tabs and returns the metrics. Sends nothing. */
export const rollUpMetrics: Operation = {
  name: 'Roll Up Metrics',
  value: 'rollUpMetrics',
  action: 'Roll up metrics',
  summary: 'Writes the summary tabs and returns the metrics',
  description: [],
  async execute() {
    const report = await cycleUnderLease(this, { parts: new Set(['metrics']) });
    return [{ json: plain({ today: report.today, ...report.metrics }), pairedItem: { item: 0 } }];
  },
};
