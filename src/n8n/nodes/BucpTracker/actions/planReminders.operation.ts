import { handoffOperation } from './common.ts';

/**
 * One item per reminder digest to send today (stage, agreement-end and filing reminders alike), per
 * escalation of a stalled proposal or an overdue data disposition, and per "submitted for review"
 * notice to the Governance Liaison, with its idempotency key, rendered subject, HTML and text, and the
 * record Record Sent writes from. Each is claimed in the Activity Log; feed them to Send Email, then
 * to Record Sent.
 */
export const planReminders = handoffOperation({
  name: 'Plan Reminders',
  value: 'planReminders',
  action: 'Plan reminder emails',
  summary: 'One item per reminder digest, escalation or liaison notice to send, ready for Send Email',
  part: 'reminders',
});
