import { handoffOperation } from './common.ts';

/**
 * Moves overdue disputes up a level: one item per escalation email (to the next level's contact,
 * copying the coordinators), claimed like Plan Reminders. Feed them to Send Email, then Record Sent.
 */
export const escalateDisputes = handoffOperation({
  name: 'Escalate Disputes',
  value: 'escalateDisputes',
  action: 'Escalate overdue disputes',
  summary: 'One item per dispute escalation email, ready for Send Email',
  part: 'dispute-escalation',
});
