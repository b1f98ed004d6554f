// The bucp commands on an Airtable config, against the emulator on the real clock (the CLI paces its
// requests as in production). `bucp serve` on Airtable is run as real processes in airtable-lease.test.ts.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { type AirtableRig, TEST_TOKEN, airtableRig } from '../support/airtable.ts';
import { CONTACTS, enteredDaysAgo } from '../support/workspace.ts';

const rigs: AirtableRig[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

async function setup() {
  const rig = await airtableRig({ realClock: true });
  rigs.push(rig);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-airtable-cli-'));
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: {
        kind: 'airtable',
        baseId: rig.trackerBaseId,
        restrictedBaseId: rig.restrictedBaseId,
        endpointUrl: rig.endpointUrl,
      },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const io = {
    out: (t: string) => out.push(t),
    logger: createLogger({ destination: { write: (l: string) => logs.push(l) } }),
  };
  return { rig, configFile, out, logs, bucp: (...args: string[]) => main(args, io) };
}

test('bucp init, check and run on an Airtable config, with the token from AIRTABLE_TOKEN', async () => {
  vi.stubEnv('AIRTABLE_TOKEN', TEST_TOKEN);
  const { rig, configFile, out, bucp } = await setup();

  expect(await bucp('init', '--config', configFile)).toBe(0);
  const init = out.join('\n');
  expect(init).toContain(`https://airtable.com/${rig.trackerBaseId}: created table "Proposals"`);
  expect(init).toContain(`https://airtable.com/${rig.restrictedBaseId}: created table "Restricted"`);
  expect(init).toMatch(/To do by hand, once \(the API cannot\):\n {2}\[ \] Field editing permissions/);
  out.length = 0;
  expect(await bucp('init', '--config', configFile)).toBe(0);
  expect(out[0]).toBe(`https://airtable.com/${rig.trackerBaseId}: already complete, nothing changed`);

  const stageEntered = enteredDaysAgo('2026-11-23', 20).toISOString().slice(0, 10);
  rig.emulator.addRecord(rig.trackerBaseId, 'Proposals', {
    'BUCP ID': 'B-1',
    'Use Case Name': 'Medi-Cal enrollment match',
    'Requesting Coordinator Email': 'req@dhcs.example.gov',
    'Providing Coordinator Email': 'prov@cdph.example.gov',
    Stage: 'Drafting',
    'Stage Entered On': stageEntered,
  });
  rig.emulator.addRecord(rig.restrictedBaseId, 'Restricted', { 'BUCP ID': 'B-1' });

  out.length = 0;
  expect(await bucp('check', '--json', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(0);
  const check = JSON.parse(out.join('')) as { capacity: { used: number; limit: number; limitName: string } };
  expect(check.capacity).toMatchObject({ limit: 50_000 });
  expect(check.capacity.limitName).toContain("Airtable's limit of 50,000 records per base");

  out.length = 0;
  expect(await bucp('run', '--json', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(0);
  const report = JSON.parse(out.join('')) as { notifications: { sent: boolean }[] };
  expect(report.notifications.some((n) => n.sent)).toBe(true);
  const proposal = rig.emulator.records(rig.trackerBaseId, 'Proposals')[0]!;
  expect(proposal.fields.Status).toBe('Stalled');
  expect(proposal.fields['Use Case Name']).toBe('Medi-Cal enrollment match');
  // Paced on the real clock, the commands never met the emulator's limiter.
  expect(rig.emulator.stats.rateLimited).toBe(0);
}, 60_000);

test('without the token in the environment, the command exits 2 naming store.tokenEnv', async () => {
  vi.stubEnv('AIRTABLE_TOKEN', '');
  const { configFile, bucp } = await setup();
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  expect(await bucp('init', '--config', configFile)).toBe(2);
  expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/store\.tokenEnv: AIRTABLE_TOKEN is not set/);
  stderr.mockRestore();
});
