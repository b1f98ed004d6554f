import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import type { PlannedNotification } from '../../src/core/notifications.ts';
import type { Mailer, RestrictedStore, TrackerSnapshot, TrackerStore, WritePlan } from '../../src/core/ports.ts';
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

// A big first cycle sends tens of thousands of messages, and each holds the rows it is about: a sent
// message is let go before the next one goes, so the rows only it needed can be collected as the cycle
// goes on. The messages are watched through the templates, which see each planned one for its subject.
test('a cycle lets go of each message once it is sent', async () => {
  const ws = await makeWorkspace();
  // Due Soon on the 23rd, each with coordinators of its own: one digest per coordinator.
  await ws.addProposals(
    ['B-1', 'B-2', 'B-3'].map((id) =>
      proposal(id, {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 13),
        'Requesting Coordinator Email': `req-${id}@dhcs.example.gov`,
        'Providing Coordinator Email': `prov-${id}@cdph.example.gov`,
      }),
    ),
  );
  const templates = await MailTemplates.load();
  const planned = new Map<string, WeakRef<PlannedNotification>>();
  const subject = templates.subject.bind(templates);
  templates.subject = (n) => {
    // The cycle asks for the subjects of the messages it planned.
    const message = n as PlannedNotification;
    if (!planned.has(message.key)) planned.set(message.key, new WeakRef(message));
    return subject(n);
  };
  /** At each send, in the order planned: whether each planned message was still reachable. */
  const atSends: boolean[][] = [];
  const mailer: Mailer = {
    kind: ws.outbox.kind,
    describe: () => ws.outbox.describe(),
    close: () => ws.outbox.close(),
    send: (message) => {
      collectGarbage();
      atSends.push([...planned.values()].map((ref) => ref.deref() !== undefined));
      return ws.outbox.send(message);
    },
  };
  const report = await runCycle(
    {
      config: ws.config,
      store: ws.tracker,
      restricted: ws.restricted,
      mailer,
      templates,
      logger: createLogger({ level: 'silent' }),
    },
    { now: localTime('2026-11-23T08:00') },
  );

  const sent = report.notifications.filter((n) => n.sent);
  expect(sent.length).toBeGreaterThanOrEqual(3);
  expect(planned.size).toBe(sent.length);
  // At the k-th send, the k-1 messages before it are gone; it and those after it are still held.
  expect(atSends).toEqual(sent.map((_, k) => sent.map((_, i) => i >= k)));
});
