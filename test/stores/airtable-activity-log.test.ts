import { describe, expect, test } from 'vitest';
import { type ActivityEvent, readActivityLog } from '../../src/core/activity.ts';
import {
  PACKED_RECORD_CHARS,
  type PackedRecord,
  inLogOrder,
  packedRecord,
  planAppend,
  unpackLines,
} from '../../src/stores/airtable/activity-log.ts';

const event = (at: string, i: number, detail = `event ${i}`): ActivityEvent => ({
  at,
  on: at.slice(0, 10),
  bucpId: `B-${i}`,
  disputeId: '',
  kind: 'first-seen',
  from: '',
  to: 'Drafting',
  detail,
  key: `k-${i}`,
});

/** Applies an append plan to a list of records, as the base would. */
function apply(records: PackedRecord[], events: readonly ActivityEvent[], limit = PACKED_RECORD_CHARS): PackedRecord[] {
  const plan = planAppend(inLogOrder(records).at(-1), events, limit);
  return applyPlan(records, plan);
}

function applyPlan(records: PackedRecord[], plan: ReturnType<typeof planAppend>): PackedRecord[] {
  const next = records.map((r) => (plan.update && r.id === plan.update.id ? { ...r, text: plan.update.text } : r));
  for (const c of plan.creates) next.push({ id: `rec${next.length}`, day: c.day, part: c.part, text: c.text });
  return next;
}

describe('the packed Activity Log', () => {
  test('lines of one day go into one record, and a new day starts a new one', () => {
    let records: PackedRecord[] = [];
    records = apply(records, [event('2026-11-23T08:00:00-08:00', 1), event('2026-11-23T08:00:00-08:00', 2)]);
    records = apply(records, [event('2026-11-23T08:15:00-08:00', 3)]);
    records = apply(records, [event('2026-11-24T08:00:00-08:00', 4)]);
    expect(records.map((r) => [r.day, r.part, r.text.split('\n').length])).toEqual([
      ['2026-11-23', 1, 3],
      ['2026-11-24', 1, 1],
    ]);
    const rows = unpackLines(inLogOrder(records));
    expect(rows.map((r) => `${r.rowNumber}:${String(r.cells['Idempotency Key'])}`)).toEqual([
      '2:k-1',
      '3:k-2',
      '4:k-3',
      '5:k-4',
    ]);
  });

  test('a day past the record size goes on in a second record of that day, never over the limit', () => {
    const limit = 1_000;
    let records: PackedRecord[] = [];
    const events = Array.from({ length: 40 }, (_, i) => event('2026-11-23T08:00:00-08:00', i, 'x'.repeat(60)));
    records = apply(records, events.slice(0, 25), limit);
    records = apply(records, events.slice(25), limit);
    expect(records.length).toBeGreaterThan(2);
    expect(records.every((r) => r.text.length <= limit)).toBe(true);
    expect(records.map((r) => r.part)).toEqual(records.map((_, i) => i + 1));
    expect(readActivityLog(unpackLines(inLogOrder(records))).map((e) => e.key)).toEqual(events.map((e) => e.key));
  });

  test('a record created twice (a retried create whose answer was lost) reads back once', () => {
    const once = apply([], [event('2026-11-23T08:00:00-08:00', 1), event('2026-11-23T08:00:00-08:00', 2)]);
    const twice = [...once, { ...once[0]!, id: 'recCopy' }];
    const grown = apply(twice, [event('2026-11-23T08:15:00-08:00', 3)]);
    expect(readActivityLog(unpackLines(inLogOrder(grown))).map((e) => e.key)).toEqual(['k-1', 'k-2', 'k-3']);
  });

  test('records are read back in log order whatever order Airtable lists them in', () => {
    const fields = (key: string, text: string) => ({ id: key, fields: { Batch: key, Lines: text } });
    const listed = [
      fields(
        '2026-11-24 #001',
        '["2026-11-24T08:00:00-08:00","2026-11-24","B-3","","first-seen","","Drafting","","k-3",""]',
      ),
      fields(
        '2026-11-23 #002',
        '["2026-11-23T09:00:00-08:00","2026-11-23","B-2","","first-seen","","Drafting","","k-2",""]',
      ),
      fields(
        '2026-11-23 #001',
        '["2026-11-23T08:00:00-08:00","2026-11-23","B-1","","first-seen","","Drafting","","k-1",""]',
      ),
      { id: 'recStaff', fields: { Batch: 'a note typed by a person' } },
    ];
    const packed = inLogOrder(listed.map(packedRecord).filter((r): r is PackedRecord => r !== null));
    expect(readActivityLog(unpackLines(packed)).map((e) => e.key)).toEqual(['k-1', 'k-2', 'k-3']);
  });

  /**
   * The record budget of the README: a tracker of 300 proposals, five years, on a Team base (50,000
   * records), must stay within 20% of it (10,000 records) with its proposals, disputes, issues and
   * summaries. Each day carries the job-run lines of every tick (sync every 15 minutes for 12 hours,
   * metrics hourly, reminders, dispute escalation) and a generous 200 event lines per proposal a year.
   */
  test('five years of a 300-proposal tracker fit in under 20% of a Team base', () => {
    const proposals = 300;
    const eventLinesPerDay = Math.ceil((proposals * 200) / 365);
    const jobRunLinesPerDay = 48 + 24 + 2;
    const records: PackedRecord[] = [];
    let longest = 0;
    const start = Date.UTC(2027, 0, 1);
    for (let d = 0; d < 5 * 365; d += 1) {
      const day = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
      const events: ActivityEvent[] = [];
      for (let i = 0; i < eventLinesPerDay + jobRunLinesPerDay; i += 1) {
        events.push({
          at: `${day}T08:00:00-08:00`,
          on: day,
          bucpId: `BUCP-2027-${String(i % proposals).padStart(4, '0')}`,
          disputeId: '',
          kind: 'notification-sent',
          from: 'reminder',
          to: 'coordinator.name@department.ca.gov',
          detail: `Reminder digest sent to the data coordinator, message <${'m'.repeat(40)}@bucp>`,
          key: `reminder:${day}:coordinator.name@department.ca.gov:${i}`,
        });
      }
      // A cycle appends its own lines; eight cycles a day is closer to the real spread than one.
      for (let c = 0; c < 8; c += 1) {
        // Appends always go after the last record: the list stays in log order, no need to sort it.
        const plan = planAppend(
          records.at(-1),
          events.filter((_, i) => i % 8 === c),
        );
        if (plan.update) records[records.length - 1] = { ...records.at(-1)!, text: plan.update.text };
        for (const r of plan.creates) records.push({ id: `rec${records.length}`, ...r });
      }
      longest = Math.max(longest, ...records.slice(-3).map((r) => r.text.length));
    }
    const otherRecords = proposals + 100 + 300 + 150 + 1;
    expect(longest).toBeLessThanOrEqual(100_000);
    // One record a day for five years (the README's arithmetic): with the other tables, 2,676 records, 5.4% of a Team base.
    expect(records.length).toBe(1_825);
    expect(records.length + otherRecords).toBeLessThanOrEqual(10_000);
  });
});
