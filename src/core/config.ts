import { z } from 'zod/v4';
import { DISPUTE_LEVELS, STAGES, type DisputeLevel, type Stage } from './contract.ts';
import { isValidTimezone, parseDateCell, type IsoDate } from './dates.ts';
import { JOB_NAMES, type JobName, isCron } from './schedule.ts';

/** Default SLAs in business days, and who each stage's reminder goes to. */
export const DEFAULT_SLAS: Readonly<Partial<Record<Stage, number>>> = {
  Concept: 20,
  Drafting: 15,
  'Internal Review': 10,
  'Provider Review': 15,
  Signatures: 10,
  Filed: 5,
  Fulfillment: 20,
};

export type Reminded = 'requesting' | 'providing' | 'both' | 'nobody';

export const REMINDED_BY_STAGE: Readonly<Record<Stage, Reminded>> = {
  Concept: 'requesting',
  Drafting: 'requesting',
  'Internal Review': 'requesting',
  'Provider Review': 'providing',
  Signatures: 'both',
  Filed: 'providing',
  Fulfillment: 'providing',
  Active: 'nobody',
  Closed: 'nobody',
  Withdrawn: 'nobody',
};

/** Calendar days before an agreement's End Date when both coordinators are reminded to renew or close out. */
export const DEFAULT_RENEWAL_DAYS = [90, 30] as const;

export const DEFAULT_DEPARTMENTS = [
  'CalHHS Agency',
  'CDA',
  'CDPH',
  'CDSS',
  'DCSS',
  'DDS',
  'DHCS',
  'DMHC',
  'DOR',
  'DSH',
  'EMSA',
  'HCAI',
  'OSI',
  'OYCR',
] as const;

const email = z.email({ error: 'must be an email address' });

const isoDateSchema = z.string().refine((value) => parseDateCell(value)?.ok === true && /^\d{4}-/.test(value), {
  error: 'must be a date as YYYY-MM-DD',
});

const XlsxStoreSchema = z.strictObject({
  kind: z.literal('xlsx'),
  path: z.string().min(1),
  restrictedPath: z.string().min(1),
});

const GoogleSheetsStoreSchema = z.strictObject({
  kind: z.literal('google-sheets'),
  spreadsheetId: z.string().min(10, { error: 'must be the ID from the spreadsheet URL (/spreadsheets/d/<ID>/edit)' }),
  restrictedSpreadsheetId: z.string().min(10, { error: 'must be the ID of the separate restricted spreadsheet' }),
  /** A service account key file. Without it, Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS). */
  credentials: z.string().min(1).optional(),
  /** Another API root: the test emulator or an egress proxy. */
  rootUrl: z.url().optional(),
  /** Another OAuth token endpoint for the key file's JWT exchange: a private Google endpoint, or the test emulator. */
  tokenUrl: z.url().optional(),
  /** An environment variable holding a short-lived access token minted elsewhere (instead of a key file). */
  accessTokenEnv: z.string().min(1).optional(),
});

/** Airtable's plans cap the records of one base; Team is the smallest plan with field editing permissions. */
export const AIRTABLE_TEAM_RECORD_LIMIT = 50_000;

const airtableBaseId = (what: string) =>
  z.string().regex(/^app[A-Za-z0-9]{14}$/, {
    error: `must be the ID of ${what} (appXXXXXXXXXXXXXX, from the base's URL: airtable.com/<ID>/...)`,
  });

const AirtableStoreSchema = z.strictObject({
  kind: z.literal('airtable'),
  baseId: airtableBaseId('the tracker base'),
  restrictedBaseId: airtableBaseId('the separate restricted base'),
  /** The environment variable holding the personal access token: secrets never live in the file. */
  tokenEnv: z.string().min(1).default('AIRTABLE_TOKEN'),
  /** Another API root: the test emulator or an egress proxy. */
  endpointUrl: z.url().optional(),
  /** The base's record limit under its plan: Free 1,000, Team 50,000, Business 125,000, Enterprise 500,000. */
  recordLimit: z.number().int().positive().default(AIRTABLE_TEAM_RECORD_LIMIT),
});

const OutboxMailSchema = z.strictObject({
  kind: z.literal('outbox'),
  dir: z.string().min(1),
  from: z.string().min(1).default('BUCP Tracker <bucp-tracker@localhost>'),
});

const SmtpMailSchema = z.strictObject({
  kind: z.literal('smtp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(587),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  /** The environment variable that holds the SMTP password: secrets never live in the file. */
  passwordEnv: z.string().default('BUCP_SMTP_PASSWORD'),
  from: z.string().min(1),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Accept a self-signed certificate, for a relay inside the agency network. */
  allowSelfSigned: z.boolean().default(false),
  /**
   * A local journal of accepted sends, so a crash right after a send never repeats it. Its default
   * depends on where the service runs, so the config loader fills it in (`defaultJournal`).
   */
  journal: z.string().min(1).optional(),
});

/** What a chat channel can receive: see `src/core/chat.ts`. */
export const CHAT_KINDS = ['escalation', 'dispute-escalation', 'manager-digest', 'daily-board'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

const ChatChannelSchema = z.strictObject({
  /** The channel's name in logs, the Activity Log and the Issues tab: never its URL. */
  name: z.string().regex(/^[\w.-]+$/, { error: 'must be letters, digits, dots, dashes or underscores' }),
  kind: z.enum(['teams', 'google-chat'], { error: 'must be teams or google-chat' }),
  /** The environment variable holding the webhook URL: the URL is a secret and never lives in the file. */
  webhookUrlEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }),
  send: z.array(z.enum(CHAT_KINDS)).min(1),
  /**
   * Hosts the URL may point at beyond the service's own (`*.logic.azure.com`,
   * `*.environment.api.powerplatform.com` for Teams, `chat.googleapis.com` for Google Chat): an egress
   * proxy, or a local test endpoint. Any other host is refused, so a typo sends no tracker data elsewhere.
   */
  allowHosts: z.array(z.string().min(1)).default([]),
  /**
   * Where the buttons go when the tracker's own links are not web links (a local workbook): the
   * workbook's SharePoint or OneDrive address. Without it, such cards have no buttons.
   */
  trackerUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  timeoutMs: z.number().int().positive().default(15_000),
  /** Tries of one post within a cycle when the endpoint answers 429 or 5xx. */
  maxTries: z.number().int().min(1).max(10).default(4),
  /** The longest `Retry-After` waited out within a cycle; a longer one leaves the post to the next cycle. */
  maxRetryAfterSeconds: z.number().int().min(0).default(60),
});
export type ChatChannel = z.infer<typeof ChatChannelSchema>;

const slaKeys = Object.fromEntries(STAGES.map((s) => [s, z.number().int().min(1).nullable().optional()])) as Record<
  Stage,
  z.ZodOptional<z.ZodNullable<z.ZodNumber>>
>;

const levelKeys = Object.fromEntries(DISPUTE_LEVELS.map((l) => [l, email.optional()])) as Record<
  DisputeLevel,
  z.ZodOptional<typeof email>
>;

export const ConfigSchema = z.strictObject({
  timezone: z
    .string()
    .default('America/Los_Angeles')
    .refine(isValidTimezone, { error: 'must be an IANA time zone such as America/Los_Angeles' }),
  store: z.discriminatedUnion('kind', [XlsxStoreSchema, GoogleSheetsStoreSchema, AirtableStoreSchema]),
  mail: z.discriminatedUnion('kind', [OutboxMailSchema, SmtpMailSchema]),
  slas: z.strictObject(slaKeys).default({}),
  holidays: z
    .strictObject({
      add: z.array(isoDateSchema).default([]),
      remove: z.array(isoDateSchema).default([]),
    })
    .default({ add: [], remove: [] }),
  departments: z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_DEPARTMENTS]),
  contacts: z.strictObject({
    governanceLiaison: email,
    /** Managers who get the weekly digest of key metrics and the most overdue proposals. */
    managers: z.array(email).default([]),
    disputeLevels: z.strictObject(levelKeys).default({}),
  }),
  reminders: z
    .strictObject({
      dueSoonWindow: z.number().int().min(0).default(2),
      stalledRepeatBusinessDays: z.number().int().min(1).default(5),
      nextActionRepeatBusinessDays: z.number().int().min(1).default(5),
    })
    .default({ dueSoonWindow: 2, stalledRepeatBusinessDays: 5, nextActionRepeatBusinessDays: 5 }),
  /** The Tasks tab: a task is Due Soon when at most this many business days remain before its Due date. */
  tasks: z
    .strictObject({
      dueSoonBusinessDays: z.number().int().min(0).default(2),
    })
    .default({ dueSoonBusinessDays: 2 }),
  /** Cron expressions (wall-clock, in `timezone`) overriding the default schedule of each job. */
  schedules: z
    .strictObject(
      Object.fromEntries(
        JOB_NAMES.map((job) => [
          job,
          z.string().refine(isCron, { error: 'must be a five-field cron expression such as "0 8 * * 1-5"' }).optional(),
        ]),
      ) as Record<JobName, z.ZodOptional<z.ZodString>>,
    )
    .default({}),
  service: z
    .strictObject({
      /** The status page: /healthz and /status. Loopback by default. */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8787),
    })
    .default({ host: '127.0.0.1', port: 8787 }),
  /** Team chat channels (Microsoft Teams Workflows, Google Chat spaces) and what each one receives. */
  chat: z
    .array(ChatChannelSchema)
    .default([])
    .refine((channels) => new Set(channels.map((c) => c.name)).size === channels.length, {
      error: 'channel names must be unique',
    }),
  disputes: z
    .strictObject({
      businessDaysPerLevel: z.number().int().min(1).default(10),
    })
    .default({ businessDaysPerLevel: 10 }),
  /** The end of a data exchange: renewal reminders before the End Date, the data disposition after it. */
  term: z
    .strictObject({
      /** Calendar days before the End Date when both coordinators get a renewal reminder; each point sends once. */
      renewalDaysBefore: z
        .array(z.number().int().min(1))
        .min(1)
        .default([...DEFAULT_RENEWAL_DAYS]),
      /** A disposition is overdue, and escalated to the Governance Liaison, more than this many calendar days past the End Date. */
      dispositionOverdueDays: z.number().int().min(0).default(10),
    })
    .default({ renewalDaysBefore: [...DEFAULT_RENEWAL_DAYS], dispositionOverdueDays: 10 }),
  /** The Governance Liaison's notices (the liaison is `contacts.governanceLiaison`). */
  notices: z
    .strictObject({
      /** One "submitted for review" notice per proposal to the liaison. Off until switched on. */
      submitted: z.boolean().default(false),
      /** Remind the providing coordinator to send the signed BUCP to the liaison for filing. Off until switched on. */
      filing: z.boolean().default(false),
      /** Business days after Approved On with no Filed On before the filing reminder starts. */
      filingBusinessDays: z.number().int().min(1).default(5),
    })
    .default({ submitted: false, filing: false, filingBusinessDays: 5 }),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export type ConfigParse = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Validates a parsed config document. Every problem names its key path, such as `mail.port`. */
export function parseConfig(document: unknown): ConfigParse {
  const result = ConfigSchema.safeParse(document ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)',
      message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
    })),
  };
}

/** The effective SLA of each stage: defaults overridden by config; `null` turns one off. */
export function effectiveSlas(config: Pick<Config, 'slas'>): Record<Stage, number | null> {
  return Object.fromEntries(
    STAGES.map((stage) => {
      const override = config.slas[stage];
      return [stage, override === undefined ? (DEFAULT_SLAS[stage] ?? null) : override];
    }),
  ) as Record<Stage, number | null>;
}

export function holidayAdjustments(config: Pick<Config, 'holidays'>): { add: IsoDate[]; remove: IsoDate[] } {
  return { add: config.holidays.add, remove: config.holidays.remove };
}
