import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { JWT } from 'google-auth-library';
import { parse as parseYaml } from 'yaml';
import type {
  IDataObject,
  IExecuteFunctions,
  INodeProperties,
  IPollFunctions,
  Logger as N8nLogger,
} from 'n8n-workflow';
import { ConfigError, readConfigDocument } from '../../config-file.ts';
import { type Config, parseConfig } from '../../core/config.ts';
import type { RestrictedStore, TrackerStore } from '../../core/ports.ts';
import { guardedByLease, holdingLease } from '../../jobs/lease.ts';
import { type Logger, createLogger } from '../../log.ts';
import { MailTemplates } from '../../mail/render.ts';
import { createStores } from '../../stores/create-stores.ts';
import { leaseHolder } from '../../stores/file-lease.ts';
import { SHEETS_SCOPE, tokenTransporter } from '../../stores/google/transport.ts';

/** What the nodes use of n8n's execution context: small enough for a typed stand-in in unit tests. */
export type BucpContext = Pick<
  IExecuteFunctions,
  | 'getNodeParameter'
  | 'getCredentials'
  | 'getNode'
  | 'logger'
  | 'getExecutionId'
  | 'continueOnFail'
  | 'getInputData'
  | 'getWorkflowStaticData'
>;
export type BucpPollContext = Pick<
  IPollFunctions,
  'getNodeParameter' | 'getCredentials' | 'getNode' | 'logger' | 'getWorkflowStaticData' | 'getMode'
>;

/** What opening the tracker needs of either context: the node's parameters, credentials and logger. */
export interface TrackerSource {
  param(name: string, fallback?: unknown): unknown;
  getCredentials: BucpContext['getCredentials'];
  logger: N8nLogger;
}

export function executeSource(context: BucpContext): TrackerSource {
  return {
    param: (name, fallback) => context.getNodeParameter(name, 0, fallback),
    getCredentials: (type) => context.getCredentials(type),
    logger: context.logger,
  };
}

export function pollSource(context: BucpPollContext): TrackerSource {
  return {
    param: (name, fallback) => context.getNodeParameter(name, fallback),
    getCredentials: (type) => context.getCredentials(type),
    logger: context.logger,
  };
}

/** The store, credential and rules parameters both nodes share. */
export const trackerProperties: INodeProperties[] = [
  {
    displayName: 'Tracker',
    name: 'store',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Local Workbook', value: 'xlsx', description: 'An Excel workbook on the n8n host' },
      { name: 'Google Sheets', value: 'google-sheets', description: "With n8n's Google service-account credential" },
      {
        name: 'Airtable',
        value: 'airtable',
        description: "Two Airtable bases, with n8n's Airtable personal access token credential",
      },
    ],
    default: 'xlsx',
  },
  {
    displayName: 'Spreadsheet ID',
    name: 'spreadsheetId',
    type: 'string',
    default: '',
    required: true,
    description: 'The ID in the tracker URL: /spreadsheets/d/&lt;ID&gt;/edit',
    displayOptions: { show: { store: ['google-sheets'] } },
  },
  {
    displayName: 'Restricted Spreadsheet ID',
    name: 'restrictedSpreadsheetId',
    type: 'string',
    default: '',
    required: true,
    description: 'The separate spreadsheet that holds Specialized Security, Specialized Privacy and Known Risks',
    displayOptions: { show: { store: ['google-sheets'] } },
  },
  {
    displayName: 'API Root URL',
    name: 'rootUrl',
    type: 'string',
    default: '',
    placeholder: 'https://sheets.googleapis.com/',
    description: "Only for a private Google endpoint or an egress proxy: leave empty for Google's",
    displayOptions: { show: { store: ['google-sheets'] } },
  },
  {
    displayName: 'Token URL',
    name: 'tokenUrl',
    type: 'string',
    default: '',
    placeholder: 'https://oauth2.googleapis.com/token',
    description: "Only for a private Google endpoint: where the service account's token is fetched",
    displayOptions: { show: { store: ['google-sheets'] } },
  },
  {
    displayName: 'Base ID',
    name: 'baseId',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'appXXXXXXXXXXXXXX',
    description: "The tracker base's ID, from its URL: airtable.com/&lt;ID&gt;/... (set it up with `bucp init`)",
    displayOptions: { show: { store: ['airtable'] } },
  },
  {
    displayName: 'Restricted Base ID',
    name: 'restrictedBaseId',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'appXXXXXXXXXXXXXX',
    description:
      'The separate base that holds Specialized Security, Specialized Privacy and Known Risks: Airtable cannot hide a field, only a base',
    displayOptions: { show: { store: ['airtable'] } },
  },
  {
    displayName: 'API Endpoint URL',
    name: 'endpointUrl',
    type: 'string',
    default: '',
    placeholder: 'https://api.airtable.com',
    description: "Only for an egress proxy or a test emulator: leave empty for Airtable's",
    displayOptions: { show: { store: ['airtable'] } },
  },
  {
    displayName: 'Config File',
    name: 'configFile',
    type: 'string',
    default: '',
    placeholder: '/home/node/bucp/bucp.yaml',
    description:
      "Path to a bucp.yaml on the n8n host: SLAs, holidays, departments, contacts, reminder, dispute, term and notices rules. Its store and mail sections are ignored: the node's credential is the store, and n8n sends the mail. Leave empty to use Rules below.",
  },
  {
    displayName: 'Rules (YAML)',
    name: 'rules',
    type: 'string',
    typeOptions: { rows: 6 },
    default: 'contacts:\n  governanceLiaison: governance.liaison@example.gov\n',
    description: 'The same keys as bucp.yaml, inline. Used when Config File is empty.',
    displayOptions: { show: { configFile: [''] } },
  },
];

export const credentialDescriptions = [
  { name: 'bucpWorkbookApi', required: true, displayOptions: { show: { store: ['xlsx'] } } },
  { name: 'googleApi', required: true, displayOptions: { show: { store: ['google-sheets'] } } },
  // n8n's own credential (nodes-base AirtableTokenApi): the token in its `accessToken` field.
  { name: 'airtableTokenApi', required: true, displayOptions: { show: { store: ['airtable'] } } },
];

export interface Tracker {
  readonly config: Config;
  readonly store: TrackerStore;
  readonly restricted: RestrictedStore;
  readonly templates: MailTemplates;
  readonly logger: Logger;
}

/** Where mail would go: never used, since n8n sends the mail. */
const NO_MAIL = { kind: 'outbox', dir: os.tmpdir() } as const;

/** The store section of the config, and what signs its requests: n8n's credential, never a file or variable. */
interface StoreSection {
  readonly section: IDataObject;
  readonly auth?: JWT;
  readonly airtableToken?: string;
}

async function storeSection(context: TrackerSource): Promise<StoreSection> {
  const kind = context.param('store') as string;
  if (kind === 'airtable') {
    const credential = await context.getCredentials('airtableTokenApi');
    const endpointUrl = String(context.param('endpointUrl', '')).trim();
    if (!credential.accessToken) {
      throw new Error(
        'The Airtable credential has no access token: paste a personal access token with the scopes data.records:read, data.records:write, schema.bases:read and schema.bases:write',
      );
    }
    return {
      section: {
        kind,
        baseId: String(context.param('baseId')).trim(),
        restrictedBaseId: String(context.param('restrictedBaseId')).trim(),
        ...(endpointUrl ? { endpointUrl } : {}),
      },
      airtableToken: String(credential.accessToken ?? ''),
    };
  }
  if (kind === 'google-sheets') {
    const credential = await context.getCredentials('googleApi');
    const tokenUrl = String(context.param('tokenUrl', '')).trim();
    const rootUrl = String(context.param('rootUrl', '')).trim();
    const auth = new JWT({
      email: credential.email as string,
      // n8n keeps the key as pasted; a key copied from JSON may carry literal \n.
      key: String(credential.privateKey ?? '').replace(/\\n/g, '\n'),
      scopes: [SHEETS_SCOPE],
      ...(credential.inpersonate && credential.delegatedEmail ? { subject: credential.delegatedEmail as string } : {}),
      ...(tokenUrl ? { transporter: tokenTransporter(tokenUrl) } : {}),
    });
    return {
      section: {
        kind,
        spreadsheetId: context.param('spreadsheetId') as string,
        restrictedSpreadsheetId: context.param('restrictedSpreadsheetId') as string,
        ...(rootUrl ? { rootUrl } : {}),
        ...(tokenUrl ? { tokenUrl } : {}),
      },
      auth,
    };
  }
  const credential = await context.getCredentials('bucpWorkbookApi');
  return {
    section: {
      kind: 'xlsx',
      path: path.resolve(String(credential.trackerPath ?? '')),
      restrictedPath: path.resolve(String(credential.restrictedPath ?? '')),
    },
  };
}

/** The node's rules: a config file or inline YAML, with the store from the credential. */
async function rulesFor(context: TrackerSource, store: IDataObject): Promise<Config> {
  const file = String(context.param('configFile', '')).trim();
  const source = file ? path.resolve(file) : 'the Rules parameter';
  const document = file ? await readConfigDocument(source) : parseRules(source, String(context.param('rules', '')));
  const rules = document && typeof document === 'object' ? (document as Record<string, unknown>) : {};
  const parsed = parseConfig({ ...rules, store, mail: NO_MAIL });
  if (!parsed.ok) throw new ConfigError(source, parsed.problems);
  return parsed.config;
}

function parseRules(source: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [{ path: '(syntax)', message: (error as Error).message }]);
  }
}

/** Our log lines, with restricted fields redacted, passed on to n8n's logger. */
export function loggerFor(n8nLogger: N8nLogger, level = 'info'): Logger {
  const levels: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
    10: 'debug',
    20: 'debug',
    30: 'info',
    40: 'warn',
    50: 'error',
    60: 'error',
  };
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        const {
          msg,
          level: n,
          time: _time,
          service: _service,
          pid: _pid,
          hostname: _host,
          ...meta
        } = JSON.parse(chunk.toString()) as { msg: string; level: number } & Record<string, unknown>;
        n8nLogger[levels[n] ?? 'info'](`[bucp] ${msg}`, meta);
      } catch {
        n8nLogger.info(chunk.toString());
      }
      done();
    },
  });
  return createLogger({ level, destination });
}

let templatesLoaded: Promise<MailTemplates> | undefined;

/**
 * The package's mail templates, compiled once per n8n process: they are files in the package, and
 * every execution and every trigger poll opens the tracker. A failed load is tried again next time.
 */
function bundledTemplates(): Promise<MailTemplates> {
  templatesLoaded ??= MailTemplates.load().catch((error: unknown) => {
    templatesLoaded = undefined;
    throw error;
  });
  return templatesLoaded;
}

/** Opens the tracker the node's parameters and credential point at. */
export async function openTracker(context: TrackerSource): Promise<Tracker> {
  const { section, auth, airtableToken } = await storeSection(context);
  const config = await rulesFor(context, section);
  const logger = loggerFor(context.logger);
  const templates = await bundledTemplates();
  const { tracker, restricted } = await createStores(config.store, {
    ...(auth ? { authClient: auth } : {}),
    ...(airtableToken === undefined ? {} : { airtableToken }),
  });
  return { config, templates, logger, store: tracker, restricted };
}

/** The clock: BUCP_NOW replays a chosen moment (rehearsals and tests); otherwise the real time. */
export function clock(logger?: Logger): Date {
  const fixed = process.env.BUCP_NOW;
  if (!fixed) return new Date();
  const at = new Date(fixed);
  if (Number.isNaN(at.getTime())) throw new Error(`BUCP_NOW is not a date and time: ${fixed}`);
  logger?.warn({ now: at.toISOString() }, 'the clock is fixed by BUCP_NOW');
  return at;
}

export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
}

const LEASE_TTL_MS = 5 * 60_000;

/**
 * Runs a write under the tracker's lease, so that two n8n workers (queue mode) never plan or write
 * the same tracker at once. A busy lease is waited for, up to `waitMs`, then reported. The work gets
 * the tracker with a store that checks the lease before each write, so a lost lease stops it there.
 */
export async function underLease<T>(
  tracker: Tracker,
  holder: string,
  work: (tracker: Tracker) => Promise<T>,
  options: { waitMs?: number; pollMs?: number } = {},
): Promise<T> {
  const lease = tracker.store.lease;
  if (!lease) return work(tracker);
  const waitMs = options.waitMs ?? 120_000;
  const deadline = Date.now() + waitMs;
  let expiresAt: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const taken = await lease.acquire(holder, new Date(), LEASE_TTL_MS);
    if (taken.acquired) {
      expiresAt = taken.lease?.expiresAt;
      break;
    }
    if (Date.now() >= deadline) {
      throw new LeaseBusyError(
        `The tracker is busy: ${taken.lease?.holder ?? 'another instance'} holds its lease until ${taken.lease?.expiresAt ?? 'it expires'}. Try again later.`,
      );
    }
    tracker.logger.info({ holder: taken.lease?.holder, attempt }, 'waiting for the tracker lease');
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 1_000 * 2 ** attempt, 10_000)));
  }
  const hold = { holder, ttlMs: LEASE_TTL_MS, expiresAt, logger: tracker.logger };
  return holdingLease(lease, hold, (held) => work(guardedByLease(tracker, held)));
}

/** A JSON-safe copy: n8n items hold plain data only. */
export function plain(value: unknown): IDataObject {
  return JSON.parse(JSON.stringify(value)) as IDataObject;
}

/**
 * A lease holder name that says which n8n host, process and execution holds it. Named as the service
 * names its own, so that a worker that crashed on this machine leaves a lease that is stale at once.
 */
export function holderFor(context: Pick<BucpContext, 'getExecutionId'>): string {
  return leaseHolder(`n8n-execution-${context.getExecutionId()}`);
}
