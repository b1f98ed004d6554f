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
        'Restriction Solution': 'De-identification',
        'Legal Authority': 'W&I Code 14100.2',
        'Lessons Learned': `Lesson of ${id}: agree the de-identification method early`,
        'Data-Sharing Outcome': `Outcome of ${id}`,
      }),
    ),
  );
  await ws.addTasks([
    {
      'Task ID': 'T-1',
      'BUCP ID': 'B-1',
      Task: 'Send the draft',
      'Owner Email': 'owner@dhcs.example.gov',
      Due: d('2026-11-20'),
    },
  ]);
  await ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': d('2026-09-01'),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
    {
      'Dispute ID': 'D-2',
      'BUCP ID': 'B-2',
      'Raised On': d('2026-09-01'),
      Category: 'De-identification Method',
      Level: 'Risk Management Subcommittee',
      Decision: 'Modified',
      'Resolved On': d('2026-10-01'),
      'Resolution Summary': 'Aggregated to county level',
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
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const io = { out: (t: string) => out.push(t), logger };
  expect(await main(['run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00'], io)).toBe(0);
  expect(await main(['run', '--once', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(await main(['check', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  // bucp find never searches restricted content: the canary and the restricted words find nothing...
  // (Its answer echoes the query, the canary typed here, so it is kept apart from the output searched below.)
  const asked: string[] = [];
  const findIo = { out: (t: string) => asked.push(t), logger };
  expect(await main(['find', CANARY, '--json', '--config', configFile, '--now', '2026-11-24T08:00'], findIo)).toBe(0);
  expect(JSON.parse(asked[0]!)).toMatchObject({ query: CANARY, matches: [] });
  expect(await main(['find', 'Specialized', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(out.at(-1)).toMatch(/^0 proposals match/);
  // ...and what it finds and prints carries none of it.
  expect(await main(['find', 'medi-cal', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(await main(['find', 'lesson', '--json', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  expect(JSON.parse(out.at(-1)!).matches).toHaveLength(5);
  // Even a logger handed restricted fields by mistake redacts them.
  logger.info({ 'Specialized Security': CANARY, record: { 'Known Risks': CANARY } }, 'second line of defence');

  const report = JSON.parse(out[0]!) as { notifications: { kind: string }[] };
  expect(report.notifications.length).toBeGreaterThan(3);
  expect(report.notifications.map((n) => n.kind)).toContain('manager-digest');
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
  // The Library tab and the task reminders were really made, so the search covered them.
  expect(places.tracker).toContain('BUCP reference library');
  expect(places.tracker).toContain('Lesson of B-3');
  expect(places.tracker).toContain('Aggregated to county level');
  expect(places.outbox).toContain('Send the draft');
  expect(places.cliOutput).toContain('5 proposals match "medi-cal"');
  // The search can fail: the canary is really in the restricted workbook the cycle read.
  expect((await dumpWorkbook(ws.restricted.path)).includes(CANARY)).toBe(true);
  expect(places.logs).toContain('[restricted]');
});
