import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
import { GoogleSheetsTrackerStore } from '../../src/stores/google-sheets-store.ts';
import { googleWorkspace } from '../support/google.ts';
import { enteredDaysAgo, localTime, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

test('two services on one spreadsheet, ticking together: the lease row lets exactly one run', async () => {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
  ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
  const templates = await MailTemplates.load();
  const logger = createLogger({ destination: { write: () => true } });
  // Two instances: their own store objects (their own memory), one spreadsheet.
  const runners = [0, 1].map(
    () =>
      new ServiceRunner({
        deps: {
          config: ws.config,
          store: new GoogleSheetsTrackerStore({
            spreadsheetId: ws.tracker.spreadsheetId,
            client: ws.client,
            leaseSettleMs: 150,
          }),
          restricted: ws.restricted,
          mailer: ws.outbox,
          templates,
          logger,
        },
        clock: () => localTime('2026-11-23T09:10'),
      }),
  );
  const reports = await Promise.all(runners.map((r) => r.tick()));
  expect(reports.filter((r) => r !== null)).toHaveLength(1);
  expect(runners.map((r) => r.status().skippedForLease).sort()).toEqual([0, 1]);
  const keys = (await ws.outbox.entries()).map((e) => e.key);
  expect(keys.length).toBeGreaterThan(0);
  expect(new Set(keys).size).toBe(keys.length);
  // Released after the cycle: the other instance runs next and finds nothing new to send.
  const loser = runners[reports.findIndex((r) => r === null)]!;
  expect((await loser.tick())?.notifications).toEqual([]);
  expect(ws.emulator.sheet(ws.tracker.spreadsheetId, 'Lease').values()[1] ?? []).toEqual([]);
});

test('a lease left by a crashed instance expires, and another takes over', async () => {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  const store = () =>
    new GoogleSheetsTrackerStore({ spreadsheetId: ws.tracker.spreadsheetId, client: ws.client, leaseSettleMs: 20 });
  const crashed = store();
  expect((await crashed.lease.acquire('elsewhere:1:a', new Date(), 100)).acquired).toBe(true);
  const other = store();
  expect((await other.lease.acquire('elsewhere:2:b', new Date(), 60_000)).acquired).toBe(false);
  await new Promise((r) => setTimeout(r, 120));
  expect((await other.lease.acquire('elsewhere:2:b', new Date(), 60_000)).acquired).toBe(true);
  expect(await crashed.lease.renew('elsewhere:1:a', new Date(), 60_000)).toBe(false);
});
