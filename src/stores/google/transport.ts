import { setTimeout as sleep } from 'node:timers/promises';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { GoogleAuth, type OAuth2Client, gaxios } from 'google-auth-library';
import { CUT_OFF } from './value-ranges.ts';

/** The only scope the service asks for. Service accounts cannot use drive.file. */
export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export interface RetryPolicy {
  /** Tries in all, the first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** The backoff is truncated here; a Retry-After from Google may ask for longer, up to maxRetryAfterMs. */
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 32_000,
  maxRetryAfterMs: 60_000,
};

export interface SheetsClientOptions {
  /** A service account key file; without one, Application Default Credentials are used. */
  readonly keyFile?: string | undefined;
  /** Another API root, for the emulator or a proxy. Set on the service object: google.options does not reach it. */
  readonly rootUrl?: string | undefined;
  /** The OAuth token endpoint service-account JWTs are exchanged at; Google's public one by default. */
  readonly tokenUrl?: string | undefined;
  /** An auth client made elsewhere (tests, or n8n's credential); JWT is an OAuth2Client too. */
  readonly authClient?: OAuth2Client;
  readonly timeoutMs?: number;
}

export interface SheetsClient {
  readonly api: sheets_v4.Sheets;
  /** The account's email, for the sharing instructions in errors and for protected-range editors. */
  accountEmail(): Promise<string | undefined>;
}

/**
 * A request body serialized once, here. googleapis deep-copies an object body before it serializes it:
 * for the 10,000 ranges of a first sync that copy costs about 80 ms of CPU and 25 MB of peak memory.
 * Send it with JSON_REQUEST.
 */
export function jsonBody<Body>(body: Body): Body {
  // Typed as the body it stands for: googleapis' types know object bodies only.
  return JSON.stringify(body) as unknown as Body;
}

/** The request options that go with a jsonBody. */
export const JSON_REQUEST = { headers: { 'content-type': 'application/json; charset=utf-8' } } as const;

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * The HTTP client the auth library exchanges service-account JWTs through. The library always posts
 * to Google's public token endpoint; with `tokenUrl` (a private endpoint, such as one reached over
 * Private Service Connect) that request goes there instead.
 */
export function tokenTransporter(tokenUrl: string | undefined): gaxios.Gaxios | undefined {
  if (!tokenUrl) return undefined;
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: (config) => {
      if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUrl);
      return Promise.resolve(config);
    },
  });
  return transporter;
}

export function createSheetsClient(options: SheetsClientOptions): SheetsClient {
  const transporter = tokenTransporter(options.tokenUrl);
  const googleAuth = options.authClient
    ? undefined
    : new GoogleAuth({
        scopes: [SHEETS_SCOPE],
        ...(options.keyFile ? { keyFile: options.keyFile } : {}),
        ...(transporter ? { clientOptions: { transporter } } : {}),
      });
  const auth = options.authClient ?? googleAuth!;
  const api = sheets({
    version: 'v4',
    auth,
    ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
    // Our own retry covers writes too; googleapis would retry only idempotent methods.
    retry: false,
    timeout: options.timeoutMs ?? 60_000,
    // Google indents its answers by default; a big read is a third smaller without the indentation.
    params: { prettyPrint: false },
  });
  return {
    api,
    async accountEmail() {
      try {
        if (googleAuth) return (await googleAuth.getCredentials()).client_email ?? undefined;
        const credentials = (options.authClient as { email?: string } | undefined)?.email;
        return credentials;
      } catch {
        return undefined;
      }
    },
  };
}

interface GaxiosLikeError {
  status?: number;
  code?: string | number;
  message: string;
  response?: { status?: number; headers?: unknown; data?: { error?: { message?: string; status?: string } } };
}

function statusOf(error: GaxiosLikeError): number | undefined {
  return error.response?.status ?? (typeof error.status === 'number' ? error.status : undefined);
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Record<string, string | undefined>;
  return record[name] ?? record[name.toLowerCase()] ?? null;
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ECONNABORTED',
  CUT_OFF,
]);

function retryable(error: GaxiosLikeError): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  // No HTTP answer at all: a dropped connection or a timeout.
  return (
    RETRYABLE_CODES.has(String(error.code)) || /socket hang up|network|fetch failed|terminated/i.test(error.message)
  );
}

/** The wait before try `attempt + 1`: Google's Retry-After when it gives one, else truncated exponential backoff with full jitter. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfter: string | null,
  random = Math.random,
): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.floor(random() * ceiling);
}

/** Google's limit on one spreadsheet: the cells of every tab's grid together, empty ones included. */
export const GOOGLE_CELL_LIMIT = 10_000_000;
export const GOOGLE_CELL_LIMIT_NAME = `Google's limit of ${GOOGLE_CELL_LIMIT.toLocaleString('en-US')} cells per spreadsheet (every tab's grid, empty cells included)`;

/** A failure of the Sheets API, translated into what a person can act on. */
export class SheetsApiError extends Error {
  override readonly name = 'SheetsApiError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, status: number | undefined, retryable: boolean) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

export interface CallContext {
  readonly what: string;
  readonly spreadsheetId: string;
  readonly accountEmail?: string | undefined;
}

export function translate(error: GaxiosLikeError, context: CallContext, attempts: number): SheetsApiError {
  const status = statusOf(error);
  const googleMessage = error.response?.data?.error?.message ?? error.message;
  const googleStatus = error.response?.data?.error?.status;
  const account = context.accountEmail ?? 'the service account (client_email in its key file)';
  if (status === 403 || googleStatus === 'PERMISSION_DENIED') {
    return new SheetsApiError(
      `Google Sheets denied access to spreadsheet ${context.spreadsheetId}: share it with ${account} as an Editor (Share, then add that email).`,
      status,
      false,
    );
  }
  if (status === 401) {
    return new SheetsApiError(
      `Google rejected the credentials (${googleMessage}): check store.credentials or GOOGLE_APPLICATION_CREDENTIALS.`,
      status,
      false,
    );
  }
  if (status === 404) {
    return new SheetsApiError(
      `No spreadsheet ${context.spreadsheetId} (${googleMessage}): check the spreadsheet ID in the config.`,
      status,
      false,
    );
  }
  if (status === 400 && /Unable to parse range/i.test(googleMessage)) {
    return new SheetsApiError(
      `Spreadsheet ${context.spreadsheetId} lacks a tab the tracker needs (${googleMessage}): run \`bucp init\` to add it.`,
      status,
      false,
    );
  }
  if (status === 400 && /above the limit of \d+ cells/i.test(googleMessage)) {
    return new SheetsApiError(
      `Spreadsheet ${context.spreadsheetId} is full: Google Sheets ${context.what} was refused because it would pass ${GOOGLE_CELL_LIMIT_NAME}, and nothing of it was written. Delete empty rows and columns at the ends of its tabs, or tabs the tracker does not use, to make room (see "Known limits" in the README); do not delete Activity Log lines, which are the service's memory.`,
      status,
      false,
    );
  }
  if (retryable(error)) {
    return new SheetsApiError(
      `Google Sheets ${context.what} still failed after ${attempts} tries (${status ?? error.code ?? 'no answer'}: ${googleMessage}); the next cycle will try again.`,
      status,
      true,
    );
  }
  return new SheetsApiError(
    `Google Sheets ${context.what} failed (${status ?? error.code}): ${googleMessage}`,
    status,
    false,
  );
}

/** Runs one API call with bounded retries on 429, 5xx and dropped connections, then translates what is left. */
export async function withRetry<T>(
  call: () => Promise<T>,
  context: CallContext,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (info: { attempt: number; delayMs: number; status: number | undefined }) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (raw) {
      const error = raw as GaxiosLikeError;
      if (!retryable(error) || attempt + 1 >= policy.attempts) throw translate(error, context, attempt + 1);
      const delayMs = backoffDelay(attempt, policy, headerValue(error.response?.headers, 'retry-after'));
      onRetry?.({ attempt: attempt + 1, delayMs, status: statusOf(error) });
      await sleep(delayMs);
    }
  }
}

/** A call to the Sheets API: `what` names it in error messages and retry reports. */
export type SheetsCall = <T>(what: string, request: () => Promise<{ data: T }>) => Promise<T>;

export type RetryReport = (info: {
  what: string;
  attempt: number;
  delayMs: number;
  status: number | undefined;
}) => void;

/**
 * How the stores call the Sheets API about one spreadsheet: each call retried within the policy, then
 * its error translated into what a person can act on. The account's email, which those messages name
 * and bucp init makes the editor of protected ranges, is looked up once, on first need.
 */
export class SpreadsheetTransport {
  readonly api: sheets_v4.Sheets;
  readonly spreadsheetId: string;
  private readonly client: SheetsClient;
  private readonly retry: RetryPolicy;
  private readonly onRetry: RetryReport | undefined;
  private email: Promise<string | undefined> | undefined;

  constructor(options: { client: SheetsClient; spreadsheetId: string; retry?: RetryPolicy; onRetry?: RetryReport }) {
    this.client = options.client;
    this.api = options.client.api;
    this.spreadsheetId = options.spreadsheetId;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRetry = options.onRetry;
  }

  accountEmail(): Promise<string | undefined> {
    this.email ??= this.client.accountEmail();
    return this.email;
  }

  readonly call: SheetsCall = async (what, request) => {
    const context = { what, spreadsheetId: this.spreadsheetId, accountEmail: await this.accountEmail() };
    const response = await withRetry(request, context, this.retry, (info) => this.onRetry?.({ what, ...info }));
    return response.data;
  };
}
