import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { RESTRICTED_CONTENT_HEADERS, TABS } from '../../src/core/contract.ts';
import { dumpFolder, dumpWorkbook } from '../support/dump.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';
import { CONTACTS, d, editRow, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';
import { CANARY as IMPORT_CANARY, MESSY_MAP_YAML, writeMessyWorkbook } from '../fixtures/import-trackers.ts';

const CANARY = 'CANARY-7f3a9c-RESTRICTED';
/** The secret part of a chat webhook URL: it must show nowhere either. */
const URL_CANARY = 'sig=CANARY-WEBHOOK-91c2';

test('restricted content and webhook URLs are found nowhere: outbox, chat posts, tracker workbook, JSON report, CLI output or logs', async () => {
  const ws = await makeWorkspace();
  const teams = await ChatEndpoint.teams().start();
  const google = await ChatEndpoint.googleChat().start();
  // Some posts fail, so the error paths are searched too: a refusal, an outage, a dropped connection.
  teams.answer({ status: 404 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
  google.answer({ drop: true }, { status: 403 });
  process.env.BUCP_CANARY_TEAMS_URL = teams.url(`/workflows/x/triggers/manual/paths/invoke?${URL_CANARY}`);
  process.env.BUCP_CANARY_GCHAT_URL = google.url(`/v1/spaces/S/messages?key=k&${URL_CANARY}`);
  const channel = (name: string, kind: string, env: string) => ({
    name,
    kind,
    webhookUrlEnv: env,
    send: ['escalation', 'dispute-escalation', 'manager-digest', 'daily-board'],
    allowHosts: ['127.0.0.1'],
    maxRetryAfterSeconds: 1,
  });
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
      chat: [
        channel('team', 'teams', 'BUCP_CANARY_TEAMS_URL'),
        channel('space', 'google-chat', 'BUCP_CANARY_GCHAT_URL'),
      ],
      notices: { submitted: true, filing: true },
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const io = { out: (t: string) => out.push(t), logger };
  // Exit 1: some chat posts failed, as scripted.
  expect(await main(['run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00'], io)).toBe(1);
  expect(await main(['run', '--once', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  // A logger handed a webhook URL by mistake hides it.
  logger.info(
    { webhookUrl: process.env.BUCP_CANARY_TEAMS_URL, channel: { url: process.env.BUCP_CANARY_GCHAT_URL } },
    'secret',
  );
  await teams.stop();
  await google.stop();
  expect(await main(['check', '--config', configFile, '--now', '2026-11-24T08:00'], io)).toBe(0);
  delete process.env.BUCP_CANARY_TEAMS_URL;
  delete process.env.BUCP_CANARY_GCHAT_URL;
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

  const report = JSON.parse(out[0]!) as { notifications: { kind: string }[]; chat: { kind: string; status: string }[] };
  expect(report.notifications.length).toBeGreaterThan(3);
  expect(report.notifications.map((n) => n.kind)).toContain('manager-digest');
  expect(new Set(report.chat.map((p) => p.kind))).toEqual(
    new Set(['escalation', 'dispute-escalation', 'manager-digest', 'daily-board']),
  );
  expect(new Set(report.chat.map((p) => p.status))).toEqual(new Set(['sent', 'failed', 'unknown']));
  expect(report.notifications.map((n) => n.kind)).toContain('liaison-notice');
  expect(report.notifications.map((n) => n.kind)).toContain('disposition-escalation');
  const places = {
    outbox: await dumpFolder(path.join(ws.dir, 'outbox')),
    tracker: await dumpWorkbook(ws.tracker.path),
    cliOutput: out.join('\n'),
    logs: logs.join('\n'),
    chatPosts: [...teams.posts, ...google.posts].map((p) => p.text).join('\n'),
  };
  for (const [place, text] of Object.entries(places)) {
    expect(text.length, place).toBeGreaterThan(100);
    expect(text.includes(CANARY), `canary found in ${place}`).toBe(false);
    expect(text.includes('CANARY-WEBHOOK'), `webhook URL found in ${place}`).toBe(false);
  }
  // The search can fail: the posts were made, and the URLs really carried the secret.
  expect(teams.posts.length).toBeGreaterThan(4);
  expect(teams.posts.every((p) => p.path.includes(URL_CANARY))).toBe(true);
  expect(places.logs).toContain('[secret]');
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

test('import: restricted content reaches the restricted workbook only, never the preview, the JSON report, the map or logs', async () => {
  const ws = await makeWorkspace();
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    JSON.stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: CONTACTS,
    }),
  );
  const source = await writeMessyWorkbook(ws.dir);
  const mapFile = path.join(ws.dir, 'map.yaml');
  await writeFile(mapFile, MESSY_MAP_YAML);
  const proposedMap = path.join(ws.dir, 'proposed.yaml');
  const out: string[] = [];
  const logs: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => logs.push(line) } });
  const io = { out: (t: string) => out.push(t), logger };
  const bucp = (...args: string[]) => main(['import', source, '--config', configFile, ...args], io);
  expect(await bucp('--dry-run', '--write-map', proposedMap)).toBe(0);
  expect(await bucp('--dry-run', '--json', '--map', mapFile)).toBe(0);
  expect(await bucp('--map', mapFile, '--json')).toBe(0);
  // A restricted cell edited since: the conflict is reported by ID and column, with --overwrite too.
  await editRow(ws.restricted.path, TABS.restricted, 'BUCP ID', 'DHCS-003', { 'Known Risks': 'edited' });
  expect(await bucp('--map', mapFile)).toBe(0);
  expect(await bucp('--map', mapFile, '--overwrite', '--json')).toBe(0);
  expect(await main(['run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00'], io)).toBe(0);

  const places = {
    cliOutput: out.join('\n'),
    logs: logs.join('\n'),
    tracker: await dumpWorkbook(ws.tracker.path),
    proposedMap: await readFile(proposedMap, 'utf8'),
  };
  expect(places.cliOutput).toContain('Known Risks');
  expect(places.cliOutput).toContain('DHCS-003 Known Risks: differs (content not shown)');
  for (const [place, text] of Object.entries(places)) {
    expect(text.length, place).toBeGreaterThan(100);
    expect(text.includes(IMPORT_CANARY), `canary found in ${place}`).toBe(false);
  }
  // The search can fail: the canary is really in the restricted workbook the import wrote.
  expect((await dumpWorkbook(ws.restricted.path)).includes(IMPORT_CANARY)).toBe(true);
});
