import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod/v4';
import { createChatSenders } from '../../src/chat/create-chat-senders.ts';
import { type ChatKind, type Config, type ConfigInput, parseConfig } from '../../src/core/config.ts';
import { type CycleReport, runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';
import { TABS } from '../../src/core/contract.ts';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { XlsxRestrictedStore, XlsxTrackerStore } from '../../src/stores/xlsx-store.ts';
import { ChatEndpoint } from './chat-endpoint.ts';
import { CONTACTS, type Row, localTime } from './workspace.ts';
import type { ChatSender, Mailer } from '../../src/core/ports.ts';

export const ALL_CHAT_KINDS: ChatKind[] = ['escalation', 'dispute-escalation', 'manager-digest', 'daily-board'];

/** A Teams and a Google Chat channel, each on its own local endpoint, receiving every kind. */
export interface ChatRig {
  readonly dir: string;
  readonly config: Config;
  readonly teams: ChatEndpoint;
  readonly google: ChatEndpoint;
  readonly env: Record<string, string>;
  readonly logs: string[];
  readonly outbox: OutboxMailer;
  run(now: string, options?: { mailer?: Mailer; chat?: ReadonlyMap<string, ChatSender> }): Promise<CycleReport>;
  /** The senders the rig's cycles use, on the local endpoints. */
  readonly senders: ReadonlyMap<string, ChatSender>;
  addProposals(rows: readonly Row[]): Promise<void>;
  addDisputes(rows: readonly Row[]): Promise<void>;
  addRestricted(rows: readonly Row[]): Promise<void>;
  stop(): Promise<void>;
}

/** Where a local workbook's buttons go: the workbook as people open it on SharePoint. */
export const TRACKER_URL = 'https://agency.sharepoint.com/sites/bucp/Shared%20Documents/tracker.xlsx';

export const TEAMS_SECRET = 'sig=CANARY-TEAMS-5e1f';
export const GOOGLE_SECRET = 'token=CANARY-GCHAT-77aa';

export async function chatRig(overrides: Partial<ConfigInput> = {}): Promise<ChatRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-chat-'));
  const teams = await ChatEndpoint.teams().start();
  const google = await ChatEndpoint.googleChat().start();
  const env = {
    BUCP_TEAMS_WEBHOOK_URL: teams.url(`/workflows/abc/triggers/manual/paths/invoke?api-version=1&${TEAMS_SECRET}`),
    BUCP_GCHAT_WEBHOOK_URL: google.url(`/v1/spaces/AAAA/messages?key=k&${GOOGLE_SECRET}`),
  };
  const parsed = parseConfig({
    store: { kind: 'xlsx', path: path.join(dir, 'tracker.xlsx'), restrictedPath: path.join(dir, 'restricted.xlsx') },
    mail: { kind: 'outbox', dir: path.join(dir, 'outbox') },
    contacts: { ...CONTACTS, managers: ['manager@chhs.example.gov'] },
    chat: [
      {
        name: 'data-sharing-team',
        kind: 'teams',
        webhookUrlEnv: 'BUCP_TEAMS_WEBHOOK_URL',
        send: ALL_CHAT_KINDS,
        allowHosts: ['127.0.0.1'],
        maxRetryAfterSeconds: 5,
        trackerUrl: TRACKER_URL,
      },
      {
        name: 'agency-space',
        kind: 'google-chat',
        webhookUrlEnv: 'BUCP_GCHAT_WEBHOOK_URL',
        send: ALL_CHAT_KINDS,
        allowHosts: ['127.0.0.1'],
        maxRetryAfterSeconds: 5,
        trackerUrl: TRACKER_URL,
      },
    ],
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = parsed.config;
  const store = new XlsxTrackerStore({ path: path.join(dir, 'tracker.xlsx') });
  const restricted = new XlsxRestrictedStore(path.join(dir, 'restricted.xlsx'));
  const outbox = new OutboxMailer({ dir: path.join(dir, 'outbox'), from: 'BUCP Tracker <bucp@localhost>' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });
  const templates = await MailTemplates.load();
  await runInit({ config, store, restricted });
  const chat = createChatSenders(config.chat, env, { backoffMs: 50 });
  return {
    dir,
    config,
    teams,
    google,
    env,
    logs,
    outbox,
    senders: chat,
    addProposals: (rows) => appendRowsByHeader(store.path, TABS.proposals, rows),
    addDisputes: (rows) => appendRowsByHeader(store.path, TABS.disputes, rows),
    addRestricted: (rows) => appendRowsByHeader(restricted.path, TABS.restricted, rows),
    run: (now, options = {}) =>
      runCycle(
        { config, store, restricted, mailer: options.mailer ?? outbox, templates, logger, chat: options.chat ?? chat },
        { now: localTime(now, config.timezone) },
      ),
    stop: async () => {
      await teams.stop();
      await google.stop();
    },
  };
}

// --- What a valid card is ----------------------------------------------------------------------------

const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
    version: { toString(): string };
  };
  SerializationContext: new () => {
    targetVersion: unknown;
    eventCount: number;
    getEventAt(i: number): { message: string };
  };
  Versions: Record<string, unknown>;
};

/** The element and action types a Teams Workflows card may use: no bot exists to receive a submit. */
export const ALLOWED_TEAMS_TYPES = new Set([
  'AdaptiveCard',
  'TextBlock',
  'FactSet',
  'Container',
  'ColumnSet',
  'Column',
  'ActionSet',
  'Action.OpenUrl',
]);

/** Every `type` in a card's JSON, however deep. */
function typesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) typesIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'type' && typeof v === 'string') found.add(v);
      else typesIn(v, found);
    }
  }
  return found;
}

/**
 * Problems with a Teams Workflows message: its envelope, and its card as the `adaptivecards` library
 * parses and validates it for version 1.4. Empty when it is fine.
 */
export function teamsMessageProblems(message: unknown): string[] {
  const problems: string[] = [];
  const envelope = message as {
    type?: unknown;
    attachments?: { contentType?: unknown; contentUrl?: unknown; content?: unknown }[];
  };
  if (envelope.type !== 'message') problems.push('type is not "message"');
  const attachments = envelope.attachments ?? [];
  if (attachments.length !== 1) problems.push(`${attachments.length} attachments`);
  for (const a of attachments) {
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('contentType');
    if (a.contentUrl !== null) problems.push('contentUrl is not null');
    const content = a.content as { version?: unknown; type?: unknown };
    if (content.version !== '1.4') problems.push(`version ${String(content.version)}`);
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    context.targetVersion = AdaptiveCards.Versions.v1_4;
    card.parse(content, context);
    for (let i = 0; i < context.eventCount; i += 1) problems.push(`parse: ${context.getEventAt(i).message}`);
    for (const e of card.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
    if (card.version.toString() !== '1.4') problems.push(`parsed version ${card.version.toString()}`);
    for (const type of typesIn(content)) if (!ALLOWED_TEAMS_TYPES.has(type)) problems.push(`type ${type}`);
  }
  return problems;
}

// Google Chat's documented message structure (developers.google.com/workspace/chat/api/reference/rest/v1/cards),
// for the widgets the service uses: strict, so an undocumented field fails.
const url = z.url({ protocol: /^https$/ });
const ButtonSchema = z.strictObject({
  text: z.string().min(1),
  onClick: z.strictObject({ openLink: z.strictObject({ url }) }),
});
const WidgetSchema = z.union([
  z.strictObject({
    decoratedText: z.strictObject({
      topLabel: z.string().optional(),
      text: z.string(),
      bottomLabel: z.string().optional(),
      wrapText: z.boolean().optional(),
      button: ButtonSchema.optional(),
    }),
  }),
  z.strictObject({ textParagraph: z.strictObject({ text: z.string() }) }),
  z.strictObject({ buttonList: z.strictObject({ buttons: z.array(ButtonSchema).min(1) }) }),
]);
export const GoogleChatMessageSchema = z.strictObject({
  text: z.string().min(1).max(4096),
  cardsV2: z
    .array(
      z.strictObject({
        cardId: z.string().min(1),
        card: z.strictObject({
          header: z.strictObject({ title: z.string().min(1), subtitle: z.string().optional() }),
          sections: z
            .array(z.strictObject({ header: z.string().optional(), widgets: z.array(WidgetSchema).min(1) }))
            .min(1)
            .max(100),
        }),
      }),
    )
    .length(1),
});
