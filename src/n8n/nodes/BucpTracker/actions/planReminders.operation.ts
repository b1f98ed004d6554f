import { runCycle } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, holderFor, openTracker, underLease } from '../../../transport/index.ts';
import { NO_MAILER, type Operation, claimMinutesProperty, messageItems } from './common.ts';

/**
 * One item per reminder digest to send today, with its idempotency key and rendered subject, HTML
 * and text. Each is claimed in the Activity Log; feed them to Send Email, then to Record Sent.
 */
export const planReminders: Operation = {
  name: 'Plan Reminders',
  value: 'planReminders',
  action: 'Plan reminder emails',
  summary: 'One item per reminder digest to send, ready for Send Email',
  description: [claimMinutesProperty('planReminders')],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const claimMinutes = this.getNodeParameter('claimMinutes', 0, 30) as number;
    const report = await underLease(tracker, holderFor(this), () =>
      runCycle(
        { ...tracker, mailer: NO_MAILER },
        { now: clock(tracker.logger), parts: new Set(['reminders']), handoff: { claimMinutes } },
      ),
    );
    return messageItems(report.handoff);
  },
};
