import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import { RESTRICTED_CONTENT_HEADERS } from '../../src/core/contract.ts';
import { restrictedLayout, trackerLayout } from '../../src/core/layout.ts';
import { createLogger } from '../../src/log.ts';
import { type AirtableRig, TEST_TOKEN, airtableRig } from '../support/airtable.ts';
import { dumpFolder } from '../support/dump.ts';
import { CONTACTS } from '../support/workspace.ts';

const CANARY = 'CANARY-7f3a9c-RESTRICTED';

const rigs: AirtableRig[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

test('on Airtable, restricted content is found nowhere: outbox, tracker base, requests to it, JSON report, CLI output or logs', async () => {
  vi.stubEnv('AIRTABLE_TOKEN', TEST_TOKEN);
  // The CLI paces on the real clock: here the emulator and the rig's stores run on it too.
  const rig = await airtableRig({ realClock: true, emulator: { recordBodies: true } });
  rigs.push(rig);
  await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
  await rig.restricted.ensureLayout(restrictedLayout());
  const ids = ['B-1', 'B-2', 'B-3', 'B-4', 'B-5'];
  const stages = ['Provider Review', 'Signatures', 'Filed', 'Fulfillment', 'Active'];
  ids.forEach((id, i) =>
    rig.emulator.addRecord(rig.trackerBaseId, 'Proposals', {
      'BUCP ID': id,
      'Use Case Name': `Use case ${id}`,
      'Requesting Coordinator Email': 'req@dhcs.example.gov',
      'Providing Coordinator Email': 'prov@cdph.example.gov',
      Stage: stages[i]!,
      'Stage Entered On': '2026-09-01',
      'Next Action': 'Follow up',
      'Next Action Owner Email': 'owner@dhcs.example.gov',
      'Next Action Due': '2026-11-02',
    }),
  );
  rig.emulator.addRecord(rig.trackerBaseId, 'Disputes', {
    'Dispute ID': 'D-1',
    'BUCP ID': 'B-1',
    'Raised On': '2026-09-01',
    Category: 'Cost',
    Level: 'Data Coordinators',
    Decision: 'Pending',
  });
  // Every restricted field of every record carries the canary, including one whose ID is not tracked.
  for (const id of [...ids, 'B-NOT-IN-TRACKER']) {
    rig.emulator.addRecord(rig.restrictedBaseId, 'Restricted', {
      'BUCP ID': id,
      ...Object.fromEntries(RESTRICTED_CONTENT_HEADERS.map((h) => [h, `${h}: ${CANARY} for ${id}`])),
    });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-airtable-canary-'));
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    JSON.stringify({
      store: {
        kind: 'airtable',
        baseId: rig.trackerBaseId,
        restrictedBaseId: rig.restrictedBaseId,
        endpointUrl: rig.endpointUrl,
      },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: { ...CONTACTS, managers: ['manager@chhs.example.gov'] },
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const io = { out: (t: string) => out.push(t), logger };
  expect(await main(['run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00'], io)).toBe(0);
  expect(await main(['run', '--once', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(await main(['check', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);

  const report = JSON.parse(out[0]!) as { notifications: { kind: string }[] };
  expect(report.notifications.length).toBeGreaterThan(3);
  const trackerTables = (rig.emulator.base(rig.trackerBaseId) as unknown as { tables: { name: string }[] }).tables;
  const places = {
    outbox: await dumpFolder(path.join(dir, 'outbox')),
    trackerBase: JSON.stringify(trackerTables.map((t) => rig.emulator.records(rig.trackerBaseId, t.name))),
    requestsToTrackerBase: JSON.stringify(
      rig.emulator.calls.filter((c) => c.baseId === rig.trackerBaseId).map((c) => [c.query, c.body]),
    ),
    cliOutput: out.join('\n'),
    logs: logs.join('\n'),
  };
  for (const [place, text] of Object.entries(places)) {
    expect(text.length, place).toBeGreaterThan(100);
    expect(text.includes(CANARY), `canary found in ${place}`).toBe(false);
  }
  // Only the BUCP ID field of the restricted base was ever asked for.
  const restrictedLists = rig.emulator.calls.filter(
    (c) => c.baseId === rig.restrictedBaseId && c.api === 'records.list',
  );
  expect(restrictedLists.length).toBeGreaterThan(0);
  for (const call of restrictedLists) expect(call.query['fields[]']).toEqual(['BUCP ID']);
  // The search can fail: the canary is really in the restricted base the cycles read.
  expect(JSON.stringify(rig.emulator.records(rig.restrictedBaseId, 'Restricted')).includes(CANARY)).toBe(true);
}, 120_000);
