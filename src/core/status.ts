import type { BusinessCalendar } from './calendar.ts';
import type { ProposalStatus } from './contract.ts';
import type { IsoDate } from './dates.ts';

/**
 * The status of a proposal from its business days in stage `b` and the stage's SLA `s`:
 * On Track while more than `window` days remain, Due Soon within them, Stalled past the SLA,
 * Escalated past twice the SLA. A stage with no SLA is Closed.
 */
export function statusFor(b: number, s: number | null, window = 2): ProposalStatus {
  if (s === null) return 'Closed';
  if (b > 2 * s) return 'Escalated';
  if (b > s) return 'Stalled';
  if (s - b <= window) return 'Due Soon';
  return 'On Track';
}

/** The first business day on which a proposal that entered its stage on `since` reaches a status. */
export function dayStatusBegins(
  calendar: BusinessCalendar,
  since: IsoDate,
  sla: number,
  status: 'Due Soon' | 'Stalled' | 'Escalated',
  window = 2,
): IsoDate {
  const businessDays = status === 'Due Soon' ? Math.max(sla - window, 1) : status === 'Stalled' ? sla + 1 : 2 * sla + 1;
  return calendar.addBusinessDays(since, businessDays);
}
