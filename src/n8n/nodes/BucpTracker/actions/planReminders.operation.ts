import { handoffOperation } from './common.ts';

/**
 * One item per reminder digest to send today, with its idempotency key, rendered subject, HTML and
 * text, and the record Record Sent writes from. Each is claimed in the Activity Log; feed them to Send
 * Email, then to Record Sent.
 */
export const planReminders = handoffOperation({
  name: 'Plan Reminders',
  value: 'planReminders',
  action: 'Plan reminder emails',
  summary: 'One item per reminder digest to send, ready for Send Email',
  part: 'reminders',
});
