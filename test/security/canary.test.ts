import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { RESTRICTED_CONTENT_HEADERS } from '../../src/core/contract.ts';
import { dumpFolder, dumpWorkbook } from '../support/dump.ts';
import { CONTACTS, d, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';

const CANARY = 'CANARY-7f3a9c-RESTRICTED';

test('restricted content is found nowhere: outbox, tracker workbook, JSON report, CLI output or logs', async () => {
  const ws = await makeWorkspace();
  const ids = ['B-1', 'B-2', 'B-3', 'B-4', 'B-5'];
  const stages = ['Provider Review', 'Signatures', 'Filed', 'Fulfillment', 'Active'];
  await ws.addProposals(
    ids.map((id, i) =>
      proposal(id, {
        Stage: stages[i]!,
        'Stage Entered On': enteredDaysAgo('2026-11-23', 40),
        'Next Action': 'Follow up',
        'Next Action Owner Email': 'owner@dhcs.example.gov',
        'Next Action Due': d('2026-11-02'),
        // The agreement end and the liaison's notices carry tracker fields only, too.
        ...(id === 'B-2' ? { 'Approved On': d('2026-10-01') } : {}),
        ...(id === 'B-4' ? { 'End Date': d('2027-01-20') } : {}),
        ...(id === 'B-5' ? { 'End Date': d('2026-11-02') } : {}),
      }),
    ),
  );
  await ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': d('2026-09-01'),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
  // Every restricted field of every record carries the canary, including one in a row whose ID is odd.
  await ws.addRestricted(
    [...ids, 'B-NOT-IN-TRACKER'].map((id) => ({
      'BUCP ID': id,
      ...Object.fromEntries(RESTRICTED_CONTENT_HEADERS.map((h) => [h, `${h}: ${CANARY} for ${id}`])),
    })),
  );
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    JSON.stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: { ...CONTACTS, managers: ['manager@chhs.example.gov'] },
      notices: { submitted: true, filing: true },
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const io = { out: (t: string) => out.push(t), logger };
  expect(await main(['run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00'], io)).toBe(0);
  expect(await main(['run', '--once', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(await main(['check', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  // Even a logger handed restricted fields by mistake redacts them.
  logger.info({ 'Specialized Security': CANARY, record: { 'Known Risks': CANARY } }, 'second line of defence');

  const report = JSON.parse(out[0]!) as { notifications: { kind: string }[] };
  expect(report.notifications.length).toBeGreaterThan(3);
  expect(report.notifications.map((n) => n.kind)).toContain('manager-digest');
  expect(report.notifications.map((n) => n.kind)).toContain('liaison-notice');
  expect(report.notifications.map((n) => n.kind)).toContain('disposition-escalation');
  const places = {
    outbox: await dumpFolder(path.join(ws.dir, 'outbox')),
    tracker: await dumpWorkbook(ws.tracker.path),
    cliOutput: out.join('\n'),
    logs: logs.join('\n'),
  };
  for (const [place, text] of Object.entries(places)) {
    expect(text.length, place).toBeGreaterThan(100);
    expect(text.includes(CANARY), `canary found in ${place}`).toBe(false);
  }
  // The search can fail: the canary is really in the restricted workbook the cycle read.
  expect((await dumpWorkbook(ws.restricted.path)).includes(CANARY)).toBe(true);
  expect(places.logs).toContain('[restricted]');
});
