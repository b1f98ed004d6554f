import { runCycle } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, holderFor, openTracker, underLease } from '../../../transport/index.ts';
import { NO_MAILER, type Operation, claimMinutesProperty, messageItems } from './common.ts';

/**
 * Moves overdue disputes up a level: one item per escalation email (to the next level's contact,
 * copying the coordinators), claimed like Plan Reminders. Feed them to Send Email, then Record Sent.
 */
export const escalateDisputes: Operation = {
  name: 'Escalate Disputes',
  value: 'escalateDisputes',
  action: 'Escalate overdue disputes',
  summary: 'One item per dispute escalation email, ready for Send Email',
  description: [claimMinutesProperty('escalateDisputes')],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const claimMinutes = this.getNodeParameter('claimMinutes', 0, 30) as number;
    const report = await underLease(tracker, holderFor(this), () =>
      runCycle(
        { ...tracker, mailer: NO_MAILER },
        { now: clock(tracker.logger), parts: new Set(['disputes']), handoff: { claimMinutes } },
      ),
    );
    return messageItems(report.handoff);
  },
};
