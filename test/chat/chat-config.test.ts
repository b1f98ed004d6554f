import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { afterEach, expect, test } from 'vitest';
import { ChatConfigError, createChatSenders } from '../../src/chat/create-chat-senders.ts';
import { webhookUrlProblem } from '../../src/chat/webhook-url.ts';
import { parseConfig } from '../../src/core/config.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
import { startStatusServer } from '../../src/service/status-server.ts';
import { type ChatRig, GOOGLE_SECRET, TEAMS_SECRET, chatRig } from '../support/chat-run.ts';
import { enteredDaysAgo, localTime, proposal } from '../support/workspace.ts';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';

test.each([
  ['teams', 'https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x', null],
  ['teams', 'https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/x?sig=x', null],
  ['google-chat', 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t', null],
  ['teams', 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k', 'not a Teams Workflows host'],
  ['google-chat', 'https://prod-12.westus.logic.azure.com/workflows/abc', 'not a Google Chat host'],
  ['teams', 'https://logic.azure.com.evil.example/workflows', 'not a Teams Workflows host'],
  ['teams', 'https://evil.example/?h=x.logic.azure.com', 'not a Teams Workflows host'],
  ['google-chat', 'http://chat.googleapis.com/v1/spaces/AAA/messages', 'must be an https URL'],
  ['teams', 'not a url', 'is not a URL'],
] as const)('a %s webhook at %s: %s', (kind, url, problem) => {
  const found = webhookUrlProblem(url, kind, []);
  if (problem === null) expect(found).toBeNull();
  else expect(found).toContain(problem);
});

test('another host is used only when the config allows it by name, and over plain http only then', () => {
  expect(webhookUrlProblem('http://127.0.0.1:9999/hook?sig=x', 'teams', ['127.0.0.1'])).toBeNull();
  expect(webhookUrlProblem('https://proxy.agency.example/hook?sig=x', 'teams', ['proxy.agency.example'])).toBeNull();
  expect(webhookUrlProblem('https://proxy.agency.example/hook?sig=x', 'teams', ['127.0.0.1'])).toContain('allowHosts');
});

const channel = { name: 'team', kind: 'teams', webhookUrlEnv: 'TEAMS_URL', send: ['escalation'] };
const config = (chat: unknown) =>
  parseConfig({
    store: { kind: 'xlsx', path: 't.xlsx', restrictedPath: 'r.xlsx' },
    mail: { kind: 'outbox', dir: 'outbox' },
    contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
    chat,
  });

test.each([
  [[{ ...channel, kind: 'slack' }], 'chat.0.kind'],
  [[{ ...channel, send: ['reminder'] }], 'chat.0.send.0'],
  [[{ ...channel, webhookUrlEnv: 'https://prod.logic.azure.com/x' }], 'chat.0.webhookUrlEnv'],
  [[channel, channel], 'chat'],
  [[{ ...channel, url: 'https://x' }], 'chat.0'],
])('bad chat config %j names its key path', (chat, path) => {
  const parsed = config(chat);
  expect(parsed.ok).toBe(false);
  if (!parsed.ok) expect(parsed.problems.map((p) => p.path)).toContain(path);
});

test('a missing or misdirected webhook URL stops the service before anything is posted, naming the key and never the URL', () => {
  const parsed = config([channel]);
  if (!parsed.ok) throw new Error('config');
  expect(() => createChatSenders(parsed.config.chat, {})).toThrow(ChatConfigError);
  expect(() => createChatSenders(parsed.config.chat, {})).toThrow(
    /chat\.0\.webhookUrlEnv: the environment variable TEAMS_URL is not set/,
  );
  const secret = 'https://evil.example/hook?sig=SECRET-123';
  let message = '';
  try {
    createChatSenders(parsed.config.chat, { TEAMS_URL: secret });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/^chat\.0\.webhookUrlEnv: .*evil\.example, which is not a Teams Workflows host/);
  expect(message).not.toContain('SECRET-123');
  const senders = createChatSenders(parsed.config.chat, {
    TEAMS_URL: 'https://prod-1.westus.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=SECRET-123',
  });
  expect(senders.get('team')!.describe()).toBe('teams channel team (prod-1.westus.logic.azure.com)');
});

let rig: ChatRig | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await rig?.stop();
});

test('/status names the chat channels and their hosts, never their URLs, also after failed posts', async () => {
  rig = await chatRig();
  await rig.addProposals([
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 31) }),
  ]);
  rig.teams.answer({ status: 404 });
  rig.google.answer({ drop: true });
  const { config: cfg } = rig;
  if (cfg.store.kind !== 'xlsx') throw new Error('xlsx');
  const runner = new ServiceRunner({
    deps: {
      config: cfg,
      store: new XlsxTrackerStore({ path: cfg.store.path }),
      restricted: new XlsxRestrictedStore(cfg.store.restrictedPath),
      mailer: new OutboxMailer({ dir: `${rig.dir}/outbox`, from: 'bucp@localhost' }),
      templates: await MailTemplates.load(),
      logger: createLogger({ destination: { write: (l: string) => rig!.logs.push(l) } }),
      chat: createChatSenders(cfg.chat, rig.env),
    },
    clock: () => localTime('2026-11-23T08:00'),
  });
  const { server, url } = await startStatusServer(() => runner.status(), { host: '127.0.0.1', port: 0 });
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await runner.tick();
  expect(rig.teams.posts.length).toBeGreaterThan(0);
  const status = await (await fetch(`${url}/status`)).text();
  expect(JSON.parse(status)).toMatchObject({
    chat: [
      `teams channel data-sharing-team (${new URL(rig.env.BUCP_TEAMS_WEBHOOK_URL!).host})`,
      expect.stringContaining('google-chat channel agency-space'),
    ],
  });
  expect(status).toContain('404');
  for (const text of [status, rig.logs.join('\n')]) {
    expect(text).not.toContain(TEAMS_SECRET);
    expect(text).not.toContain(GOOGLE_SECRET);
  }
});

test('bucp demo never posts sample data to a configured chat channel', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-demo-chat-'));
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    JSON.stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'outbox', dir: 'outbox' },
      contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
      chat: [{ name: 'team', kind: 'teams', webhookUrlEnv: 'BUCP_DEMO_UNSET_URL', send: ['daily-board'] }],
    }),
  );
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), logger: createLogger({ destination: { write: () => true } }) };
  const code = await main(
    ['demo', '--dir', path.join(dir, 'demo'), '--config', configFile, '--now', '2026-11-23T08:00'],
    io,
  );
  expect(code, out.join('\n')).toBe(0);
  expect(out.join('\n')).not.toContain('Chat posts');
});
