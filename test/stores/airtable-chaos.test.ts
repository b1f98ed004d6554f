import { afterEach, expect, test } from 'vitest';
import { readActivityLog } from '../../src/core/activity.ts';
import { OPEN_STAGES, PROPOSAL_COLUMNS, TABS } from '../../src/core/contract.ts';
import type { CycleReport } from '../../src/jobs/run-cycle.job.ts';
import { packedRecord, unpackLines, type PackedRecord, inLogOrder } from '../../src/stores/airtable/activity-log.ts';
import type { Staff } from '../emulator/airtable/airtable-emulator.ts';
import { airtableWorkspace } from '../support/airtable.ts';
import { cycleTimes, seeded } from '../support/chaos.ts';
import { RecordingMailer } from '../support/recording-mailer.ts';
import { d, enteredDaysAgo, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof airtableWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

const STAFF = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);
/** The open stages, and Active. */
const STAGES: string[] = [...OPEN_STAGES, 'Active'];
const CYCLES = 100;

/** Business days from 2026-11-23 on, two cycles each: a new day opens a new Activity Log record. */
const schedule = (): string[] => cycleTimes(CYCLES, ['07:30', '13:00']);

/** What a staff member does to the Proposals table, by record position (the same in both runs). */
type StaffAction = (staff: Staff, baseId: string) => void;

/** The same staff behaviour for both runs: drawn from one seed, applied through the emulator. */
function staffActions(): (StaffAction | null)[] {
  const random = seeded(42);
  const actions: (StaffAction | null)[] = [];
  let next = 100;
  const nth = (staff: Staff, baseId: string, at: number) => {
    const records = staff.records(baseId, TABS.proposals);
    return records[Math.floor(at * records.length)]!;
  };
  for (let i = 0; i < CYCLES; i += 1) {
    const roll = random();
    const at = random();
    const by = STAFF[Math.floor(random() * 8)]!;
    const descending = random() < 0.5;
    if (roll < 0.15) actions.push((staff, base) => staff.sortRecords(base, TABS.proposals, by, descending));
    else if (roll < 0.25) {
      const id = `N-${(next += 1)}`;
      const stage = STAGES[next % STAGES.length]!;
      actions.push((staff, base) =>
        staff.addRecord(base, TABS.proposals, {
          'BUCP ID': id,
          'Use Case Name': `Use case ${id}`,
          'Requesting Department': 'DHCS',
          'Providing Department': 'CDPH',
          'Requesting Coordinator Email': 'req@dhcs.example.gov',
          'Providing Coordinator Email': 'prov@cdph.example.gov',
          Stage: stage,
          Outcome: 'Pending',
        }),
      );
    } else if (roll < 0.4) {
      const text = `edited in cycle ${i}`;
      actions.push((staff, base) => staff.editRecord(base, TABS.proposals, nth(staff, base, at).id, { Notes: text }));
    } else if (roll < 0.5) {
      const stage = STAGES[Math.floor(random() * STAGES.length)]!;
      actions.push((staff, base) => staff.editRecord(base, TABS.proposals, nth(staff, base, at).id, { Stage: stage }));
    } else if (roll < 0.55) {
      actions.push((staff, base) => staff.deleteRecord(base, TABS.proposals, nth(staff, base, at).id));
    } else actions.push(null);
  }
  return actions;
}

async function tracker(): Promise<Workspace> {
  const ws = await airtableWorkspace();
  open.push(ws);
  ws.addProposals(
    Array.from({ length: 24 }, (_, i) =>
      proposal(`B-${i + 1}`, {
        Stage: STAGES[i % STAGES.length]!,
        'Stage Entered On': enteredDaysAgo('2026-11-23', (i * 5) % 30),
        'Requesting Coordinator Email': `req${i % 5}@dhcs.example.gov`,
        'Providing Coordinator Email': `prov${i % 4}@cdph.example.gov`,
        'Sponsor Email': i % 3 === 0 ? null : `sponsor${i % 2}@dhcs.example.gov`,
        'Next Action Owner Email': `owner${i % 3}@dhcs.example.gov`,
        'Next Action Due': d('2026-11-30'),
        Notes: `note ${i + 1}`,
      }),
    ),
  );
  ws.addRestricted(Array.from({ length: 24 }, (_, i) => ({ 'BUCP ID': `B-${i + 1}` })));
  ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-2',
      'Raised On': '2026-11-02',
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
  return ws;
}

/** The Activity Log's lines as stored: every packed record unpacked, repeats and all. */
function storedLines(ws: Workspace) {
  const packed = inLogOrder(
    ws
      .records(TABS.activity)
      .map(packedRecord)
      .filter((r): r is PackedRecord => r !== null),
  );
  return unpackLines(packed);
}

/** Each line's identity: the same kind, key and time is the same event. */
const lineId = (kind: unknown, key: unknown, at: unknown) => JSON.stringify([kind, key, at]);

/** The events the service reads back from its log through the store. */
async function readBack(ws: Workspace) {
  const snapshot = await ws.newTracker().read();
  return readActivityLog(snapshot.activity.rows);
}

/** How many times each key's send is read back. */
function sendsOf(events: Awaited<ReturnType<typeof readBack>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    if (event.kind === 'notification-sent') counts[event.key] = (counts[event.key] ?? 0) + 1;
  }
  return counts;
}

/** Lines that occur more than once. */
function repeats(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => seen.has(id) || (seen.add(id), false));
}

const staffOf = (ws: Workspace) =>
  new Map(ws.records(TABS.proposals).map((r) => [r.id, STAFF.map((h) => r.fields[h] ?? null)]));

async function run(ws: Workspace, mailer: RecordingMailer, actions: (StaffAction | null)[], chaos: boolean) {
  const reports: CycleReport[] = [];
  let failedCycles = 0;
  const proposalsTable = (ws.emulator.tableSchema(ws.trackerBaseId, TABS.proposals) as { id: string }).id;
  for (const [i, now] of schedule().entries()) {
    const action = actions[i];
    let done = false;
    // Half the time staff act before the cycle's first write, half right before the Proposals update,
    // after the store has read the record IDs it writes to.
    const remove = action
      ? ws.emulator.onBeforeWrite(
          (ctx) => {
            if (done) return;
            if (i % 2 === 1 && !(ctx.api === 'records.update' && ctx.call.tableId === proposalsTable)) return;
            action(ctx.staff, ws.trackerBaseId);
            done = true;
          },
          { once: false, baseId: ws.trackerBaseId },
        )
      : () => {};
    const before = staffOf(ws);
    try {
      const report = await ws.run(now, mailer);
      reports.push(report);
      // Every system value sits on the record of its own BUCP ID.
      for (const record of ws.records(TABS.proposals)) {
        const finding = report.findings.find((f) => f.bucpId === record.fields['BUCP ID']);
        if (!finding || finding.status === null) continue;
        expect(record.fields.Status, `${now} ${finding.bucpId}`).toBe(finding.status);
        expect(record.fields['Business Days in Stage'], `${now} ${finding.bucpId}`).toBe(finding.businessDaysInStage);
      }
    } catch (error) {
      failedCycles += 1;
      if (!chaos) throw error;
    } finally {
      remove();
      // Keep both runs fed the same staff behaviour even when a cycle never reached its write.
      if (action && !done) action(ws.emulator, ws.trackerBaseId);
    }
    // No staff field was changed by the service: every record keeps what staff had typed before the
    // cycle, apart from the one edit staff made during it; and the service added or removed no record.
    const after = staffOf(ws);
    for (const [id, values] of after) {
      const was = before.get(id);
      if (!was) continue;
      const changed = values.filter((v, c) => v !== was[c]).length;
      expect(changed, `${id} at cycle ${i}`).toBeLessThanOrEqual(action ? 1 : 0);
    }
    const added = [...after.keys()].filter((id) => !before.has(id)).length;
    const removed = [...before.keys()].filter((id) => !after.has(id)).length;
    expect(added + removed, `records added or removed at cycle ${i}`).toBeLessThanOrEqual(action ? 1 : 0);
  }
  return { reports, failedCycles };
}

test(`chaos: ${CYCLES} cycles, 20% of requests failing (429, 5xx, dropped, applied with the answer lost), staff sorting, adding, editing and deleting between read and write`, async () => {
  const calm = await tracker();
  const stormy = await tracker();
  const actions = staffActions();

  const calmMailer = new RecordingMailer(calm.outbox);
  const stormyMailer = new RecordingMailer(stormy.outbox);
  const reference = await run(calm, calmMailer, actions, false);
  stormy.emulator.resetCalls();
  stormy.emulator.faults({
    rate: 0.17,
    statuses: [429, 500, 502, 503],
    dropConnectionRate: 0.03,
    dropAfterApplyRate: 0.15,
    seed: 7,
  });
  const result = await run(stormy, stormyMailer, actions, true);
  stormy.emulator.faults(null);

  const calls = stormy.emulator.calls;
  const faulted = calls.filter((c) => c.fault && c.fault !== 'rateLimit');
  expect(faulted.length / calls.length).toBeGreaterThan(0.15);
  for (const kind of ['injected', 'drop', 'dropAfterApply'] as const) {
    expect(faulted.filter((c) => c.fault === kind).length, kind).toBeGreaterThan(0);
  }
  expect(faulted.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  expect(faulted.filter((c) => c.status >= 500).length).toBeGreaterThan(0);
  // Activity Log creates were applied and their answers lost, so the store sent them again.
  const activityTable = (stormy.emulator.tableSchema(stormy.trackerBaseId, TABS.activity) as { id: string }).id;
  expect(
    calls.filter((c) => c.fault === 'dropAfterApply' && c.api === 'records.create' && c.tableId === activityTable)
      .length,
  ).toBeGreaterThan(0);
  // Each 429 cost its 30 s on the simulated clock, not in real time.
  expect(stormy.clock.waits.filter((w) => w === 30_000).length).toBeGreaterThan(0);

  // Every due reminder was sent, and no email twice: the mailer was asked for each key exactly once,
  // in either run, and the stormy run sent exactly what the calm run sent.
  const calmKeys = Object.keys(calmMailer.timesAsked()).sort();
  expect(calmKeys.length).toBeGreaterThan(50);
  const once = Object.fromEntries(calmKeys.map((k) => [k, 1]));
  expect(calmMailer.timesAsked()).toEqual(once);
  expect(stormyMailer.timesAsked()).toEqual(once);
  const outboxKeys = (await stormy.outbox.entries()).map((e) => e.key).sort();
  expect(outboxKeys).toEqual(calmKeys);

  // The stored log holds some lines twice (a create retried after its answer was lost lands twice);
  // the service, reading its log back through the store, reads every line once, each send once.
  const stored = storedLines(stormy).map((r) => lineId(r.cells.Kind, r.cells['Idempotency Key'], r.cells.At));
  expect(repeats(stored).length).toBeGreaterThan(0);
  for (const ws of [stormy, calm]) {
    const events = await readBack(ws);
    expect(repeats(events.map((e) => lineId(e.kind, e.key, e.at)))).toEqual([]);
    expect(sendsOf(events)).toEqual(once);
  }

  expect(result.reports.length + result.failedCycles).toBe(CYCLES);
  expect(reference.failedCycles).toBe(0);
  // And the two trackers agree on every record.
  const key = (ws: Workspace) =>
    ws
      .records(TABS.proposals)
      .map((r) => JSON.stringify([r.fields['BUCP ID'], r.fields.Status, r.fields['Stage Since'], r.fields.Notes]))
      .sort();
  expect(key(stormy)).toEqual(key(calm));
}, 300_000);
