import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { RESTRICTED_CONTENT_HEADERS } from '../../src/core/contract.ts';
import { dumpFolder, dumpWorkbook } from '../support/dump.ts';
import { ChatEndpoint } from '../support/chat-endpoint.ts';
import { CONTACTS, d, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';

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
      chat: [
        channel('team', 'teams', 'BUCP_CANARY_TEAMS_URL'),
        channel('space', 'google-chat', 'BUCP_CANARY_GCHAT_URL'),
      ],
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

  // Even a logger handed restricted fields by mistake redacts them.
  logger.info({ 'Specialized Security': CANARY, record: { 'Known Risks': CANARY } }, 'second line of defence');

  const report = JSON.parse(out[0]!) as { notifications: { kind: string }[]; chat: { kind: string; status: string }[] };
  expect(report.notifications.length).toBeGreaterThan(3);
  expect(report.notifications.map((n) => n.kind)).toContain('manager-digest');
  expect(new Set(report.chat.map((p) => p.kind))).toEqual(
    new Set(['escalation', 'dispute-escalation', 'manager-digest', 'daily-board']),
  );
  expect(new Set(report.chat.map((p) => p.status))).toEqual(new Set(['sent', 'failed', 'unknown']));
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
  // The search can fail: the canary is really in the restricted workbook the cycle read.
  expect((await dumpWorkbook(ws.restricted.path)).includes(CANARY)).toBe(true);
  expect(places.logs).toContain('[restricted]');
});
