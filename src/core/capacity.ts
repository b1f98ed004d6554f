import { TABS } from './contract.ts';
import type { StoreCapacity } from './ports.ts';
import type { RowIssue } from './schema.ts';

/** The shares of a store's limit that are reported as they are passed, the highest first. */
const THRESHOLDS = [0.95, 0.9, 0.8] as const;

/**
 * A warning on the Activity Log when the store nears its hard limit: the log grows with every message,
 * and a full store refuses the lines a cycle must record before it sends, so reminders would stop.
 * The message names the threshold passed, not the exact count, so it is logged once per threshold.
 */
export function capacityIssues(capacity: StoreCapacity | undefined): RowIssue[] {
  if (!capacity || capacity.limit <= 0) return [];
  const passed = THRESHOLDS.find((t) => capacity.used >= capacity.limit * t);
  if (passed === undefined) return [];
  return [
    {
      tab: TABS.activity,
      row: 0,
      id: null,
      column: null,
      severity: 'warning',
      message:
        `The tracker has used ${Math.round(passed * 100)}% or more of ${capacity.limitName}. The Activity Log ` +
        'grows with every message sent; once the limit is reached no cycle can record its messages, so none ' +
        'go out. Make room (see "Known limits" in the README); do not delete Activity Log lines.',
    },
  ];
}
