import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import type { RestrictedStore, TrackerSnapshot, TrackerStore, WritePlan } from '../../src/core/ports.ts';
import type { History } from '../../src/core/history.ts';
import { ALL_PARTS, runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { enteredDaysAgo, localTime, makeWorkspace, proposal } from '../support/workspace.ts';

// A full garbage collection on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Whether each watched object was still reachable at one write, after a full collection. */
type Reachable = { snapshot: boolean; history: boolean };

// A big first sync should not hold the tracker as read, or its parsed rows and memory, through its
// final write (scripts/bench measures what that saves). Reachability is checked with WeakRefs after a
// forced collection: an object any part of the cycle still holds cannot be collected.
test('a cycle lets go of the rows as read once parsed, and of its plan before its final write', async () => {
  const ws = await makeWorkspace();
  // Due Soon on the 23rd: one digest, so the cycle writes its intent first, sends, then writes the rest.
  await ws.addProposals([
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 13) }),
    proposal('B-2', { Stage: 'Drafting' }),
  ]);
  let snapshotRef: WeakRef<TrackerSnapshot> | undefined;
  let historyRef: WeakRef<History> | undefined;
  const atWrites: { cells: number; reachable: Reachable }[] = [];
  let snapshotAtRestrictedRead: boolean | undefined;
  const store: TrackerStore = {
    kind: ws.tracker.kind,
    ensureLayout: (layout) => ws.tracker.ensureLayout(layout),
    read: async () => {
      const snapshot = await ws.tracker.read();
      snapshotRef = new WeakRef(snapshot);
      // A WeakRef holds its target until the microtasks of the task that made it are done.
      await new Promise((resolve) => setImmediate(resolve));
      return snapshot;
    },
    write: async (plan: WritePlan) => {
      collectGarbage();
      atWrites.push({
        cells: plan.cells.length,
        reachable: { snapshot: snapshotRef?.deref() !== undefined, history: historyRef?.deref() !== undefined },
      });
      return ws.tracker.write(plan);
    },
    rowLink: (tab, id, row) => ws.tracker.rowLink(tab, id, row),
    describe: () => ws.tracker.describe(),
  };
  // The restricted IDs are read once the tracker is parsed: by then the cells as read are gone.
  const restricted: RestrictedStore = {
    ensureLayout: (layout) => ws.restricted.ensureLayout(layout),
    recordIds: () => {
      collectGarbage();
      snapshotAtRestrictedRead = snapshotRef?.deref() !== undefined;
      return ws.restricted.recordIds();
    },
    describe: () => ws.restricted.describe(),
  };
  const report = await runCycle(
    {
      config: ws.config,
      store,
      restricted,
      mailer: ws.outbox,
      templates: await MailTemplates.load(),
      logger: createLogger({ level: 'silent' }),
    },
    {
      now: localTime('2026-11-23T08:00'),
      // The scheduler's hook sees the memory the plan holds: the one way in from outside.
      select: (history) => {
        historyRef = new WeakRef(history);
        return { parts: ALL_PARTS, jobRuns: [] };
      },
    },
  );

  expect(report.notifications.filter((n) => n.sent)).toHaveLength(1);
  expect(snapshotAtRestrictedRead).toBe(false);
  expect(atWrites.map((w) => w.cells)).toEqual([0, 2]);
  // The intents are written while the plan is needed for the sends: the check sees what is held.
  expect(atWrites[0]!.reachable).toEqual({ snapshot: false, history: true });
  // The final write: both are gone, and the cells it writes are still all there.
  expect(atWrites[1]!.reachable).toEqual({ snapshot: false, history: false });
  expect(report.writes.cellsWritten).toBeGreaterThan(0);
});
