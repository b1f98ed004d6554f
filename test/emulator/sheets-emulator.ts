/**
 * A local HTTP emulator of the Google Sheets API v4 REST protocol, for tests that
 * drive the real `@googleapis/sheets` client.
 *
 * Pointing the real client at it: pass `rootUrl` in the options of the service
 * object, `sheets({ version: 'v4', auth, rootUrl })`. googleapis-common rewrites
 * every method URL against `context._options.rootUrl` (the per-API options), and
 * only those: `google.options({ rootUrl })` sets the global options, which are
 * merged into the request but never used for that rewrite, so it does not work.
 * The rewrite keeps only the origin of rootUrl (`new URL('/v4/...', rootUrl)`),
 * so the emulator serves at the root path. Auth: an OAuth2Client with
 * `setCredentials({ access_token })` is enough; any bearer token is accepted.
 *
 * Usage:
 *   const emu = new SheetsEmulator({ quota: false });
 *   const rootUrl = await emu.start();
 *   emu.createSpreadsheet('book', { title: 'Tracker', sheets: [{ title: 'Proposals', rows: [['ID', 'Title']] }] });
 *   const auth = new OAuth2Client();
 *   auth.setCredentials({ access_token: 'test-token' });
 *   const api = sheets({ version: 'v4', auth, rootUrl, retry: false });
 *   ...
 *   emu.sheet('book', 'Proposals').cell('B2'); emu.calls; emu.stats; await emu.stop();
 *
 * Endpoints (everything else answers 404 and is recorded in `unknownRequests`):
 *   GET  /v4/spreadsheets/{id}                          spreadsheets.get (fields, ranges, includeGridData)
 *   POST /v4/spreadsheets                               spreadsheets.create
 *   POST /v4/spreadsheets/{id}:batchUpdate              spreadsheets.batchUpdate (atomic, see batch-update.ts)
 *   GET  /v4/spreadsheets/{id}/values/{range}           values.get
 *   GET  /v4/spreadsheets/{id}/values:batchGet          values.batchGet
 *   PUT  /v4/spreadsheets/{id}/values/{range}           values.update
 *   POST /v4/spreadsheets/{id}/values:batchUpdate       values.batchUpdate (atomic)
 *   POST /v4/spreadsheets/{id}/values/{range}:append    values.append
 *   POST /v4/spreadsheets/{id}/values/{range}:clear     values.clear
 *   POST /v4/spreadsheets/{id}/values:batchClear        values.batchClear
 *   GET  /v4/spreadsheets/{id}/developerMetadata/{mid}  developerMetadata.get
 *   POST /v4/spreadsheets/{id}/developerMetadata:search developerMetadata.search
 *   POST /token                                         OAuth2 token endpoint (jwt-bearer, refresh_token)
 * The `fields` system parameter is honoured on every response.
 *
 * Fidelity notes (checked against the public docs and real-world error reports):
 * - Grid: sheets have rowCount × columnCount (default 1000 × 26). values.update and
 *   values.batchUpdate never grow the grid: writing past it is 400 "Range (...) exceeds
 *   grid limits. Max rows: N, max columns: M". values.append grows it (rows, and columns
 *   if the data is wider) — InsertDataOption docs: "adding data to the end of the sheet
 *   will still insert new rows or columns". Reads starting inside the grid are clamped to
 *   it (`A1:ZZ1` on a 26-column sheet works); a read starting outside is the same 400.
 * - Writing more data than a bounded range holds: 400 "Requested writing within range
 *   [...], but tried writing to row [N]" (or column).
 * - valueInputOption is required on writes. RAW stores strings as given; USER_ENTERED
 *   parses like the UI (values.ts). Formulas are stored; their value comes from
 *   `evaluateFormula` (default: the error `#NAME?`), computed when written, never
 *   recalculated.
 * - Render options: FORMATTED_VALUE gives strings formatted by the cell's number
 *   format (dates `yyyy-mm-dd`, `M/d/yyyy`, ...); UNFORMATTED_VALUE gives numbers and
 *   booleans, dates as serial numbers, or as formatted strings with
 *   dateTimeRenderOption=FORMATTED_STRING; FORMULA gives formulas, other cells as
 *   UNFORMATTED_VALUE. Trailing empty rows and trailing empty cells are omitted;
 *   `values` is absent when there is nothing. majorDimension ROWS and COLUMNS.
 * - Null in written values skips the cell; "" clears it.
 * - Quotas: per-minute windows refilled every minute (60 read / 60 write requests per
 *   user, 300 per project), 429 RESOURCE_EXHAUSTED with a Retry-After header.
 * - spreadsheets.get never returns grid data unless includeGridData=true (or a field
 *   mask selecting sheets.data, which makes Google ignore includeGridData). Data
 *   validation rules are only visible there, as `data[].rowData[].values[].dataValidation`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { closeHttp, listenHttp } from './local-http.ts';
import { prng } from './prng.ts';
import { A1ParseError, cellA1, lettersToColumn, parse as parseA1 } from './a1.ts';
import { matchesLookup, runBatchUpdate, SUPPORTED_REQUESTS } from './batch-update.ts';
import {
  ApiError,
  clone,
  defaultFormulaEvaluator,
  cellLimitMessage,
  GOOGLE_CELL_LIMIT,
  invalid,
  isObject,
  maskSelects,
  parseFieldMask,
  projectFields,
  SheetModel,
  SpreadsheetModel,
  type Dimension,
  type FieldTree,
  type FormulaEvaluator,
  type GridRange,
  type Json,
} from './model.ts';
import {
  formatNumber,
  type DateTimeRenderOption,
  type NumberFormat,
  type Scalar,
  type ValueInputOption,
  type ValueRenderOption,
} from './values.ts';

export type { FormulaEvaluator, GridRange, Json } from './model.ts';
export type { NumberFormat, Scalar } from './values.ts';

export type ApiName =
  | 'spreadsheets.get'
  | 'spreadsheets.create'
  | 'spreadsheets.batchUpdate'
  | 'values.get'
  | 'values.batchGet'
  | 'values.update'
  | 'values.batchUpdate'
  | 'values.append'
  | 'values.clear'
  | 'values.batchClear'
  | 'developerMetadata.get'
  | 'developerMetadata.search'
  | 'oauth.token'
  | 'unknown';

export type CallKind = 'read' | 'write' | 'auth' | 'unknown';

const WRITE_APIS: ReadonlySet<ApiName> = new Set([
  'spreadsheets.create',
  'spreadsheets.batchUpdate',
  'values.update',
  'values.batchUpdate',
  'values.append',
  'values.clear',
  'values.batchClear',
]);
const READ_APIS: ReadonlySet<ApiName> = new Set([
  'spreadsheets.get',
  'values.get',
  'values.batchGet',
  'developerMetadata.get',
  'developerMetadata.search',
]);

export function kindOf(api: ApiName): CallKind {
  if (WRITE_APIS.has(api)) return 'write';
  if (READ_APIS.has(api)) return 'read';
  return api === 'oauth.token' ? 'auth' : 'unknown';
}

export interface CallRecord {
  seq: number;
  /** Emulator clock (ms) when the request arrived. */
  time: number;
  method: string;
  /** Path without the query string (percent-encoded as sent). */
  path: string;
  query: Record<string, string[]>;
  api: ApiName;
  kind: CallKind;
  spreadsheetId?: string;
  /** Email bound to the bearer token (registerToken or /token), if any. */
  user?: string;
  /** A1 ranges the request named (URL and body). */
  ranges?: string[];
  valueInputOption?: string;
  /** spreadsheets.batchUpdate: the request types in order. */
  requestTypes?: string[];
  bytesIn: number;
  bytesOut: number;
  /** HTTP status; 0 when the connection was dropped without a response. */
  status: number;
  /** Why the emulator failed it on purpose, if it did. */
  fault?: 'injected' | 'failNext' | 'drop' | 'quota' | 'dropAfterApply' | 'failAfterApply' | 'cut';
  /** Error message sent back, if any. */
  error?: string;
  /** True when a write was applied to the spreadsheet (even if the response was then lost). */
  applied?: boolean;
  durationMs: number;
  /** Parsed request body; only with `recordBodies: true`. */
  body?: unknown;
}

export interface UnknownRequest {
  method: string;
  path: string;
  api: ApiName;
  reason: string;
  requestType?: string;
}

export interface QuotaOptions {
  /** Per user per minute (Google: 60). */
  readsPerMinute?: number;
  writesPerMinute?: number;
  /** Per project per minute (Google: 300). */
  projectReadsPerMinute?: number;
  projectWritesPerMinute?: number;
}

export interface FaultOptions {
  /** Probability that a request is answered with one of `statuses` instead of being served. */
  rate?: number;
  statuses?: number[];
  /** Extra delay for every request: fixed, or uniformly drawn from [min, max]. */
  latencyMs?: number | [number, number];
  /** Probability that the socket is destroyed before the request is served. */
  dropConnectionRate?: number;
  /** Probability that a write is applied and then its socket destroyed (the "did it happen?" case). */
  dropAfterApplyRate?: number;
  /** Seed of the fault dice (default 1): the same seed gives the same fault sequence. */
  seed?: number;
  /** Only these APIs get faults (default: all Sheets APIs, not the token endpoint). */
  apis?: ApiName[];
}

export interface FailNextOptions {
  /** Apply the write first, then fail (status) or drop ('drop') the response. */
  afterApply?: boolean;
  apis?: ApiName[];
}

export interface SheetsEmulatorOptions {
  /** false disables quotas; otherwise per-minute limits (defaults 60/60 per user, 300/300 per project). */
  quota?: QuotaOptions | false;
  /** Clock in ms used for quotas and call times (default Date.now); see also advanceClock(). */
  clock?: () => number;
  /** Value of USER_ENTERED formulas (default: error '#NAME?'). */
  evaluateFormula?: FormulaEvaluator;
  /** Keep parsed request bodies in `calls` (default false: big writes would be kept alive). */
  recordBodies?: boolean;
  /** The most cells a spreadsheet's grids may hold together (Google's limit, 10 million, by default). */
  cellLimit?: number;
  host?: string;
  port?: number;
}

export interface SheetSeed {
  title: string;
  rows?: unknown[][];
  /** How seeded rows are entered (default USER_ENTERED, like staff typing). */
  input?: ValueInputOption;
  sheetId?: number;
  rowCount?: number;
  columnCount?: number;
  frozenRowCount?: number;
}

export interface SpreadsheetSeed {
  title: string;
  sheets?: SheetSeed[];
  locale?: string;
  timeZone?: string;
}

export type ColumnRef = number | string | { header: string };

export interface SheetRef {
  spreadsheetId: string;
  title: string;
}

export interface CellInfo {
  a1: string;
  empty: boolean;
  type: 'empty' | 'string' | 'number' | 'boolean' | 'formula';
  /** Stored/computed value: numbers unformatted, dates as serials, formula results. */
  value: Scalar | undefined;
  /** What FORMATTED_VALUE would return. */
  formattedValue: string;
  formula: string | undefined;
  /** The formula text for formula cells, else the stored value. */
  userEnteredValue: Scalar | undefined;
  numberFormat: NumberFormat | undefined;
  /** Effective userEnteredFormat (range formats merged with the cell's own). */
  format: Json | undefined;
  dataValidation: Json | undefined;
  note: string | undefined;
}

export interface WriteHookContext {
  api: ApiName;
  spreadsheetId: string;
  call: CallRecord;
  /** Parsed request body. */
  body: unknown;
  spreadsheet: SpreadsheetHandle;
  sheet(title: string): SheetHandle;
  sortRows(sheet: string | SheetRef, column: ColumnRef, descending?: boolean, options?: SortOptions): void;
  insertRow(sheet: string | SheetRef, at: number, values?: unknown[]): void;
  deleteRow(sheet: string | SheetRef, at: number): void;
  editCell(sheet: string | SheetRef, a1: string, value: unknown): void;
}

export type WriteHook = (ctx: WriteHookContext) => void | Promise<void>;

export interface WriteHookOptions {
  /** Run only for the first matching write (default true); false = every matching write. */
  once?: boolean;
  apis?: ApiName[];
  spreadsheetId?: string;
}

export interface SortOptions {
  /** Rows at the top that stay put (default 1, the header). */
  headerRows?: number;
}

export interface InputOptions {
  input?: ValueInputOption;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  409: 'The operation was aborted.',
  429: 'Quota exceeded.',
  500: 'Internal error encountered.',
  502: 'Bad Gateway',
  503: 'The service is currently unavailable.',
  504: 'The request timed out. Please try again.',
};

const SYSTEM_PARAMS = [
  'fields',
  'alt',
  'prettyPrint',
  'key',
  'access_token',
  'quotaUser',
  '$.xgafv',
  'callback',
  'upload_protocol',
  'uploadType',
  'oauth_token',
  'userIp',
];

const QUERY_PARAMS: Partial<Record<ApiName, string[]>> = {
  'spreadsheets.get': ['ranges', 'includeGridData', 'excludeTablesInBandedRanges'],
  'spreadsheets.create': [],
  'spreadsheets.batchUpdate': [],
  'values.get': ['majorDimension', 'valueRenderOption', 'dateTimeRenderOption'],
  'values.batchGet': ['ranges', 'majorDimension', 'valueRenderOption', 'dateTimeRenderOption'],
  'values.update': [
    'valueInputOption',
    'includeValuesInResponse',
    'responseValueRenderOption',
    'responseDateTimeRenderOption',
  ],
  'values.append': [
    'valueInputOption',
    'insertDataOption',
    'includeValuesInResponse',
    'responseValueRenderOption',
    'responseDateTimeRenderOption',
  ],
  'values.clear': [],
  'values.batchClear': [],
  'values.batchUpdate': [],
  'developerMetadata.get': [],
  'developerMetadata.search': [],
};

const BODY_FIELDS: Partial<Record<ApiName, string[]>> = {
  'spreadsheets.create': [
    'spreadsheetId',
    'properties',
    'sheets',
    'namedRanges',
    'spreadsheetUrl',
    'developerMetadata',
  ],
  'spreadsheets.batchUpdate': ['requests', 'includeSpreadsheetInResponse', 'responseRanges', 'responseIncludeGridData'],
  'values.update': ['range', 'majorDimension', 'values'],
  'values.append': ['range', 'majorDimension', 'values'],
  'values.clear': [],
  'values.batchClear': ['ranges'],
  'values.batchUpdate': [
    'valueInputOption',
    'data',
    'includeValuesInResponse',
    'responseValueRenderOption',
    'responseDateTimeRenderOption',
  ],
  'developerMetadata.search': ['dataFilters'],
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function enumParam<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalid(`Invalid value at '${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}', "${value}"`);
  }
  return value as T;
}

function boolParam(value: string | undefined, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw invalid(`Invalid value at '${name}' (TYPE_BOOL), "${value}"`);
}

const RENDER_OPTIONS = ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'] as const;
const DATE_RENDER_OPTIONS = ['SERIAL_NUMBER', 'FORMATTED_STRING'] as const;
const INPUT_OPTIONS = ['RAW', 'USER_ENTERED'] as const;
const MAJOR_DIMENSIONS = ['ROWS', 'COLUMNS'] as const;

interface ResolvedRange {
  sheet: SheetModel;
  r0: number;
  c0: number;
  /** As requested (exclusive), undefined = open. */
  endRow: number | undefined;
  endCol: number | undefined;
}

interface PendingFault {
  /** 'cut': the answer starts (200 and half its body), then the connection drops. */
  status: number | 'drop' | 'cut';
  afterApply: boolean;
  apis?: ApiName[];
  kind: CallRecord['fault'];
}

class DroppedConnection extends Error {}

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  call: CallRecord;
  started: number;
  query: URLSearchParams;
  fieldMask: FieldTree | undefined;
  /** Send only half the answer, then drop the connection. */
  cut?: boolean;
}

function toScalar(v: unknown, where: string): Scalar | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid(`Invalid ${where}: number must be finite`);
    return v;
  }
  throw invalid(`Invalid ${where}: ${Array.isArray(v) ? 'list_value' : 'struct_value'} ${JSON.stringify(v)}`);
}

/** Turns ValueRange.values into rows of scalars (null = skip), transposing COLUMNS input. */
function normalizeValues(values: unknown, major: 'ROWS' | 'COLUMNS', where: string): (Scalar | null)[][] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw invalid(`Invalid ${where}.values: must be a list of lists`);
  // Validated in place (no copy: 100k-row writes stay cheap); undefined is treated like null.
  for (let i = 0; i < values.length; i++) {
    const row: unknown = values[i];
    if (!Array.isArray(row)) throw invalid(`Invalid ${where}.values[${i}]: must be a list`);
    for (let j = 0; j < row.length; j++) {
      const v: unknown = row[j];
      if (typeof v === 'string' || typeof v === 'boolean' || v === null || v === undefined) continue;
      toScalar(v, `${where}.values[${i}][${j}]`);
    }
  }
  const lists = values as (Scalar | null)[][];
  if (major === 'ROWS') return lists;
  const height = lists.reduce((m, l) => Math.max(m, l.length), 0);
  const rows: (Scalar | null)[][] = [];
  for (let r = 0; r < height; r++) rows.push(lists.map((col) => (r < col.length ? col[r]! : null)));
  return rows;
}

function transposeOut(rows: Scalar[][]): Scalar[][] {
  const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const cols: Scalar[][] = [];
  for (let c = 0; c < width; c++) {
    const col: Scalar[] = [];
    let keep = 0;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![c];
      col.push(v === undefined ? '' : v);
      if (v !== undefined && v !== '') keep = col.length;
    }
    col.length = keep;
    cols.push(col);
  }
  return cols;
}

export class SheetsEmulator {
  private server: http.Server | undefined;
  private readonly spreadsheets = new Map<string, SpreadsheetModel>();
  private readonly tokens = new Map<string, string | undefined>();
  private readonly revoked = new Set<string>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly hooks: { handler: WriteHook; options: WriteHookOptions }[] = [];
  private readonly pending: PendingFault[] = [];
  private readonly quotaCounters = new Map<string, { window: number; count: number }>();
  private quotaLimits: Required<QuotaOptions> | undefined;
  private faultConfig: FaultOptions | undefined;
  private dice: () => number = prng(1);
  private clockOffset = 0;
  private seq = 0;
  private readonly clockFn: () => number;
  private readonly evaluate: FormulaEvaluator;
  private readonly recordBodies: boolean;
  private readonly cellLimit: number;
  private readonly host: string;
  private readonly port: number;

  /** Every request that reached the emulator, in arrival order. */
  readonly calls: CallRecord[] = [];
  /** Requests for endpoints or batchUpdate request types the emulator does not implement. */
  readonly unknownRequests: UnknownRequest[] = [];
  /** rootUrl once started, e.g. `http://127.0.0.1:54321/`. */
  rootUrl = '';

  constructor(options: SheetsEmulatorOptions = {}) {
    this.clockFn = options.clock ?? Date.now;
    this.evaluate = options.evaluateFormula ?? defaultFormulaEvaluator;
    this.recordBodies = options.recordBodies ?? false;
    this.cellLimit = options.cellLimit ?? GOOGLE_CELL_LIMIT;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.setQuota(options.quota === undefined ? {} : options.quota);
  }

  // ---------------------------------------------------------------------------
  // lifecycle

  /** Starts listening (127.0.0.1, random port) and returns the rootUrl, with a trailing slash. */
  async start(): Promise<string> {
    if (this.server) return this.rootUrl;
    const { server, origin } = await listenHttp((req, res) => this.handle(req, res), this.host, this.port);
    this.server = server;
    this.rootUrl = `${origin}/`;
    return this.rootUrl;
  }

  /** Stops the server and closes every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeHttp(server);
  }

  // ---------------------------------------------------------------------------
  // state

  /** Creates (or replaces) a spreadsheet. Seeded rows are entered USER_ENTERED unless `input: 'RAW'`. */
  createSpreadsheet(id: string, seed: SpreadsheetSeed): SpreadsheetHandle {
    const model = new SpreadsheetModel(id, seed.title);
    model.cellLimit = this.cellLimit;
    if (seed.locale) model.locale = seed.locale;
    if (seed.timeZone) model.timeZone = seed.timeZone;
    const sheets = seed.sheets?.length ? seed.sheets : [{ title: 'Sheet1' }];
    sheets.forEach((s, i) => {
      const rows = s.rows ?? [];
      const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
      const sheetId = s.sheetId ?? (i === 0 ? 0 : model.newId());
      model.reserveId(sheetId);
      if (model.sheetByTitle(s.title)) throw new Error(`duplicate sheet title ${s.title}`);
      const sheet = new SheetModel(
        sheetId,
        s.title,
        s.rowCount ?? Math.max(1000, rows.length),
        s.columnCount ?? Math.max(26, width),
      );
      sheet.frozenRowCount = s.frozenRowCount ?? 0;
      model.sheets.push(sheet);
      rows.forEach((row, r) => this.writeRow(model, sheet, r, row, s.input ?? 'USER_ENTERED', false));
    });
    this.spreadsheets.set(id, model);
    return new SpreadsheetHandle(this, id);
  }

  deleteSpreadsheet(id: string): void {
    this.spreadsheets.delete(id);
  }

  spreadsheet(id: string): SpreadsheetHandle {
    this.model(id);
    return new SpreadsheetHandle(this, id);
  }

  /** Inspection/staff handle on one tab. Throws if it does not exist. */
  sheet(spreadsheetId: string, title: string): SheetHandle {
    this.sheetModel({ spreadsheetId, title });
    return new SheetHandle(this, spreadsheetId, title);
  }

  /** @internal */
  model(id: string): SpreadsheetModel {
    const m = this.spreadsheets.get(id);
    if (!m) throw new Error(`SheetsEmulator: no spreadsheet ${id}`);
    return m;
  }

  /** @internal */
  sheetModel(ref: SheetRef): SheetModel {
    const s = this.model(ref.spreadsheetId).sheetByTitle(ref.title);
    if (!s) throw new Error(`SheetsEmulator: no sheet "${ref.title}" in ${ref.spreadsheetId}`);
    return s;
  }

  /** @internal Writes one row of staff/seed input, growing the grid as the UI would. */
  writeRow(
    model: SpreadsheetModel,
    sheet: SheetModel,
    r: number,
    values: unknown[],
    input: ValueInputOption,
    replace: boolean,
  ): void {
    if (r >= sheet.rowCount) sheet.rowCount = r + 1;
    if (values.length > sheet.columnCount) sheet.columnCount = values.length;
    if (replace) {
      const row = sheet.rows[r];
      if (row) for (let c = row.v.length - 1; c >= 0; c--) sheet.clearCell(r, c);
    }
    values.forEach((v, c) => {
      const scalar = toScalar(v, `values[${r}][${c}]`);
      if (scalar === null) return;
      sheet.writeCell(r, c, scalar, input, this.evaluate, model.id);
    });
  }

  // --- staff helpers (also on SheetHandle and in hook contexts) -----------------

  /** Sorts the data rows (below `headerRows`, default 1) by a column, moving whole rows. */
  sortRows(ref: SheetRef, column: ColumnRef, descending = false, options: SortOptions = {}): void {
    const sheet = this.sheetModel(ref);
    const col = resolveColumn(sheet, column);
    const header = options.headerRows ?? 1;
    sheet.sortRows(header, Math.max(header, sheet.lastValueRow()), 0, sheet.columnCount, [{ column: col, descending }]);
  }

  /** Inserts a row so that it becomes row number `at` (1-based), shifting rows below down. */
  insertRow(ref: SheetRef, at: number, values: unknown[] = [], options: InputOptions = {}): void {
    const model = this.model(ref.spreadsheetId);
    const sheet = this.sheetModel(ref);
    if (!Number.isInteger(at) || at < 1) throw new Error(`insertRow: bad row number ${at}`);
    model.insertDimension(sheet, 'ROWS', Math.min(at - 1, sheet.rowCount), 1);
    this.writeRow(model, sheet, at - 1, values, options.input ?? 'USER_ENTERED', false);
  }

  /** Deletes row number `at` (1-based), shifting rows below up. */
  deleteRow(ref: SheetRef, at: number): void {
    const model = this.model(ref.spreadsheetId);
    const sheet = this.sheetModel(ref);
    if (!Number.isInteger(at) || at < 1 || at > sheet.rowCount) throw new Error(`deleteRow: bad row number ${at}`);
    model.deleteDimension(sheet, 'ROWS', at - 1, 1);
  }

  /** Types a value into a cell as staff would (USER_ENTERED); null or "" clears it. */
  editCell(ref: SheetRef, a1: string, value: unknown): void {
    this.setCell(ref, a1, value, { input: 'USER_ENTERED' });
  }

  /** Sets one cell (default USER_ENTERED; `input: 'RAW'` to store strings verbatim). Grows the grid if needed. */
  setCell(ref: SheetRef, a1: string, value: unknown, options: InputOptions = {}): void {
    const model = this.model(ref.spreadsheetId);
    const sheet = this.sheetModel(ref);
    const { r, c } = cellOf(sheet, a1);
    if (r >= sheet.rowCount) sheet.rowCount = r + 1;
    if (c >= sheet.columnCount) sheet.columnCount = c + 1;
    const scalar = toScalar(value, a1);
    if (scalar === null || scalar === '') sheet.clearCell(r, c);
    else sheet.writeCell(r, c, scalar, options.input ?? 'USER_ENTERED', this.evaluate, model.id);
  }

  /** Replaces whole rows starting at row number `startRow` (1-based, default 1). */
  setRows(ref: SheetRef, rows: unknown[][], options: InputOptions & { startRow?: number } = {}): void {
    const model = this.model(ref.spreadsheetId);
    const sheet = this.sheetModel(ref);
    const start = (options.startRow ?? 1) - 1;
    rows.forEach((row, i) => this.writeRow(model, sheet, start + i, row, options.input ?? 'USER_ENTERED', true));
  }

  // ---------------------------------------------------------------------------
  // access control and tokens

  /** 403 PERMISSION_DENIED for everyone (no email) or for the user bound to a token. */
  denyAccess(spreadsheetId: string, email?: string): void {
    const m = this.model(spreadsheetId);
    if (email === undefined) m.deniedAll = true;
    else m.deniedEmails.add(email);
  }

  allowAccess(spreadsheetId: string, email?: string): void {
    const m = this.model(spreadsheetId);
    if (email === undefined) {
      m.deniedAll = false;
      m.deniedEmails.clear();
    } else m.deniedEmails.delete(email);
  }

  /** Binds an access token to a user email (for denyAccess and per-user quotas). */
  registerToken(token: string, email: string): void {
    this.tokens.set(token, email);
  }

  /** A refresh token the /token endpoint exchanges for access tokens bound to `email`. */
  registerRefreshToken(refreshToken: string, email: string): void {
    this.refreshTokens.set(refreshToken, email);
  }

  /** Requests with this token then get 401 UNAUTHENTICATED. */
  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  // ---------------------------------------------------------------------------
  // quotas, clock, faults, hooks

  /** Sets per-minute quotas (missing fields: Google's defaults) or disables them with false. */
  setQuota(quota: QuotaOptions | false): void {
    this.quotaCounters.clear();
    this.quotaLimits =
      quota === false
        ? undefined
        : {
            readsPerMinute: quota.readsPerMinute ?? 60,
            writesPerMinute: quota.writesPerMinute ?? 60,
            projectReadsPerMinute: quota.projectReadsPerMinute ?? 300,
            projectWritesPerMinute: quota.projectWritesPerMinute ?? 300,
          };
  }

  /** Forgets quota usage so far (e.g. between tests). */
  resetQuota(): void {
    this.quotaCounters.clear();
  }

  /** Moves the emulator clock forward (quota windows, call times) without waiting. */
  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  now(): number {
    return this.clockFn() + this.clockOffset;
  }

  /** Random faults from now on (seeded, reproducible); `faults(null)` turns them off. */
  faults(options: FaultOptions | null): void {
    this.faultConfig = options ?? undefined;
    this.dice = prng(options?.seed ?? 1);
  }

  /**
   * The next `n` matching requests fail with `status` (default 503), are dropped with 'drop', or are
   * cut off halfway through their answer with 'cut'.
   */
  failNext(n: number, status: number | 'drop' | 'cut' = 503, options: FailNextOptions = {}): void {
    for (let i = 0; i < n; i++) {
      this.pending.push({
        status,
        afterApply: options.afterApply ?? false,
        ...(options.apis ? { apis: options.apis } : {}),
        kind: options.afterApply
          ? status === 'drop'
            ? 'dropAfterApply'
            : 'failAfterApply'
          : status === 'drop' || status === 'cut'
            ? status
            : 'failNext',
      });
    }
  }

  /** Clears failNext() queue and random faults. */
  clearFaults(): void {
    this.pending.length = 0;
    this.faults(null);
  }

  /**
   * Runs `handler` just before a write request (values.update/batchUpdate/append/clear/batchClear,
   * spreadsheets.batchUpdate/create) is applied: after auth, quota and access checks, before the
   * request is parsed against the sheet. Once by default. Returns a function that removes it.
   */
  onBeforeWrite(handler: WriteHook, options: WriteHookOptions = {}): () => void {
    const entry = { handler, options: { once: true, ...options } };
    this.hooks.push(entry);
    return () => {
      const i = this.hooks.indexOf(entry);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  // ---------------------------------------------------------------------------
  // call log

  /** Empties `calls` and `unknownRequests`. */
  resetCalls(): void {
    this.calls.length = 0;
    this.unknownRequests.length = 0;
  }

  /** Counts over `calls` (every attempt, including failed ones). */
  get stats(): {
    total: number;
    reads: number;
    writes: number;
    failed: number;
    byApi: Partial<Record<ApiName, number>>;
  } {
    const byApi: Partial<Record<ApiName, number>> = {};
    let reads = 0;
    let writes = 0;
    let failed = 0;
    for (const c of this.calls) {
      byApi[c.api] = (byApi[c.api] ?? 0) + 1;
      if (c.kind === 'read') reads++;
      if (c.kind === 'write') writes++;
      if (c.status === 0 || c.status >= 400) failed++;
    }
    return { total: this.calls.length, reads, writes, failed, byApi };
  }

  // ---------------------------------------------------------------------------
  // HTTP

  private route(
    method: string,
    pathname: string,
  ): { api: ApiName; spreadsheetId?: string; range?: string; metadataId?: string; reason?: string } {
    const unknown = (reason = 'unknown endpoint') => ({ api: 'unknown' as const, reason });
    if (pathname === '/token') return method === 'POST' ? { api: 'oauth.token' } : unknown();
    const prefix = '/v4/spreadsheets';
    if (!pathname.startsWith(prefix)) return unknown();
    const rest = pathname.slice(prefix.length);
    if (rest === '') return method === 'POST' ? { api: 'spreadsheets.create' } : unknown();
    if (!rest.startsWith('/')) return unknown();
    const seg = rest.slice(1);
    const slash = seg.indexOf('/');
    const head = slash < 0 ? seg : seg.slice(0, slash);
    const tail = slash < 0 ? undefined : seg.slice(slash + 1);
    const colon = head.indexOf(':');
    let spreadsheetId: string;
    try {
      spreadsheetId = decodeURIComponent(colon < 0 ? head : head.slice(0, colon));
    } catch {
      return unknown('bad percent-encoding');
    }
    const verb = colon < 0 ? undefined : head.slice(colon + 1);
    if (tail === undefined) {
      if (verb === undefined && method === 'GET') return { api: 'spreadsheets.get', spreadsheetId };
      if (verb === 'batchUpdate' && method === 'POST') return { api: 'spreadsheets.batchUpdate', spreadsheetId };
      return unknown(verb ? `spreadsheets:${verb} is not implemented by the Sheets emulator` : 'unknown endpoint');
    }
    if (verb !== undefined) return unknown();
    if (tail === 'values:batchGet' && method === 'GET') return { api: 'values.batchGet', spreadsheetId };
    if (tail === 'values:batchUpdate' && method === 'POST') return { api: 'values.batchUpdate', spreadsheetId };
    if (tail === 'values:batchClear' && method === 'POST') return { api: 'values.batchClear', spreadsheetId };
    if (tail === 'developerMetadata:search' && method === 'POST')
      return { api: 'developerMetadata.search', spreadsheetId };
    if (tail.startsWith('developerMetadata/') && method === 'GET') {
      return { api: 'developerMetadata.get', spreadsheetId, metadataId: tail.slice('developerMetadata/'.length) };
    }
    if (tail.startsWith('values/')) {
      let raw = tail.slice('values/'.length);
      const m = /:(append|clear)$/.exec(raw);
      if (m) raw = raw.slice(0, -m[0].length);
      let range: string;
      try {
        range = decodeURIComponent(raw);
      } catch {
        return unknown('bad percent-encoding');
      }
      const v = m?.[1];
      if (v === undefined && method === 'GET') return { api: 'values.get', spreadsheetId, range };
      if (v === undefined && method === 'PUT') return { api: 'values.update', spreadsheetId, range };
      if (v === 'append' && method === 'POST') return { api: 'values.append', spreadsheetId, range };
      if (v === 'clear' && method === 'POST') return { api: 'values.clear', spreadsheetId, range };
    }
    return unknown(tail.includes(':') ? `${tail} is not implemented by the Sheets emulator` : 'unknown endpoint');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const route = this.route(method, url.pathname);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const call: CallRecord = {
      seq: ++this.seq,
      time: this.now(),
      method,
      path: url.pathname,
      query,
      api: route.api,
      kind: kindOf(route.api),
      bytesIn: raw.length,
      bytesOut: 0,
      status: 0,
      durationMs: 0,
    };
    if (route.spreadsheetId !== undefined) call.spreadsheetId = route.spreadsheetId;
    this.calls.push(call);
    const ex: Exchange = { req, res, call, started, query: url.searchParams, fieldMask: undefined };
    try {
      if (route.api === 'unknown') {
        this.unknownRequests.push({
          method,
          path: url.pathname,
          api: 'unknown',
          reason: route.reason ?? 'unknown endpoint',
        });
        throw new ApiError(
          404,
          'NOT_FOUND',
          `Sheets emulator: ${route.reason ?? 'unknown endpoint'}: ${method} ${url.pathname}`,
        );
      }
      if (route.api === 'oauth.token') {
        const token = this.tokenEndpoint(raw, req.headers['content-type']);
        return this.send(ex, token.status, token.body, {}, false);
      }
      const fields = url.searchParams.get('fields');
      if (fields) ex.fieldMask = parseFieldMask(fields);
      // auth
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ')
        ? header.slice(7).trim()
        : (url.searchParams.get('access_token') ?? undefined);
      if (!token) {
        throw new ApiError(
          401,
          'UNAUTHENTICATED',
          'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        );
      }
      if (this.revoked.has(token)) {
        throw new ApiError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        );
      }
      const user = this.tokens.get(token);
      if (user !== undefined) call.user = user;
      // deliberate faults
      const fault = await this.pickFault(route.api);
      if (fault?.status === 'cut') {
        call.fault = fault.kind;
        ex.cut = true;
      } else if (fault && !fault.afterApply) {
        call.fault = fault.kind;
        if (fault.status === 'drop') throw new DroppedConnection();
        throw this.faultError(fault.status);
      }
      // quota
      this.checkQuota(call, user ?? `token:${token}`);
      // body + query checks
      const body = this.parseBody(route.api, raw, method);
      if (this.recordBodies) call.body = body;
      this.checkQuery(route.api, url.searchParams);
      const result = await this.dispatch(route, body, ex, user);
      if (fault?.afterApply && fault.status !== 'cut') {
        call.fault = fault.kind;
        if (fault.status === 'drop') throw new DroppedConnection();
        throw this.faultError(fault.status);
      }
      this.send(ex, 200, result);
    } catch (e) {
      if (e instanceof DroppedConnection) {
        call.status = 0;
        call.durationMs = performance.now() - started;
        req.socket.destroy();
        return;
      }
      const err =
        e instanceof ApiError
          ? e
          : e instanceof SyntaxError
            ? invalid(`Invalid JSON payload received. ${e.message}`)
            : new ApiError(
                500,
                'INTERNAL',
                `Sheets emulator bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
              );
      call.error = err.message;
      const payload: Json = { code: err.code, message: err.message, status: err.status };
      if (err.details) payload.details = err.details;
      this.send(ex, err.code, { error: payload }, err.headers, false);
    }
  }

  private send(
    ex: Exchange,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    project = true,
  ): void {
    const out = project && ex.fieldMask !== undefined ? projectFields(body, ex.fieldMask) : body;
    // Google indents its JSON answers unless asked not to (prettyPrint=false), and so does the emulator.
    const json = ex.query.get('prettyPrint') === 'false' ? JSON.stringify(out) : JSON.stringify(out, null, 2);
    const length = Buffer.byteLength(json);
    ex.call.status = status;
    ex.call.bytesOut = length;
    ex.call.durationMs = performance.now() - ex.started;
    if (ex.res.destroyed) return;
    ex.res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': length,
      ...headers,
    });
    if (ex.cut) {
      // Half the answer, then the connection drops: the client sees a body that ends early.
      ex.res.write(json.slice(0, Math.floor(json.length / 2)), () => ex.res.socket?.destroy());
      return;
    }
    ex.res.end(json);
  }

  private faultError(status: number): ApiError {
    const name = STATUS_NAMES[status] ?? 'UNKNOWN';
    const headers: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {};
    return new ApiError(status, name, STATUS_MESSAGES[status] ?? `HTTP ${status}`, undefined, headers);
  }

  private async pickFault(api: ApiName): Promise<PendingFault | undefined> {
    const i = this.pending.findIndex((p) => !p.apis || p.apis.includes(api));
    if (i >= 0) return this.pending.splice(i, 1)[0];
    const cfg = this.faultConfig;
    if (!cfg || (cfg.apis && !cfg.apis.includes(api))) return undefined;
    // Always draw the same number of dice so the sequence only depends on the seed.
    const [dropRoll, faultRoll, pick, latencyRoll, afterRoll] = [
      this.dice(),
      this.dice(),
      this.dice(),
      this.dice(),
      this.dice(),
    ];
    if (cfg.latencyMs !== undefined) {
      const [lo, hi] = Array.isArray(cfg.latencyMs) ? cfg.latencyMs : [cfg.latencyMs, cfg.latencyMs];
      await sleep(lo + (hi - lo) * latencyRoll);
    }
    if (dropRoll < (cfg.dropConnectionRate ?? 0)) return { status: 'drop', afterApply: false, kind: 'drop' };
    if (faultRoll < (cfg.rate ?? 0)) {
      const statuses = cfg.statuses?.length ? cfg.statuses : [500, 503];
      return { status: statuses[Math.floor(pick * statuses.length)]!, afterApply: false, kind: 'injected' };
    }
    if (WRITE_APIS.has(api) && afterRoll < (cfg.dropAfterApplyRate ?? 0)) {
      return { status: 'drop', afterApply: true, kind: 'dropAfterApply' };
    }
    return undefined;
  }

  private checkQuota(call: CallRecord, user: string): void {
    const kind = call.kind;
    const limits = this.quotaLimits;
    if (!limits || (kind !== 'read' && kind !== 'write')) return;
    const now = this.now();
    const window = Math.floor(now / 60_000);
    const checks: [string, number, string, string][] =
      kind === 'read'
        ? [
            [`user:${user}:read`, limits.readsPerMinute, 'Read requests', 'Read requests per minute per user'],
            ['project:read', limits.projectReadsPerMinute, 'Read requests', 'Read requests per minute'],
          ]
        : [
            [`user:${user}:write`, limits.writesPerMinute, 'Write requests', 'Write requests per minute per user'],
            ['project:write', limits.projectWritesPerMinute, 'Write requests', 'Write requests per minute'],
          ];
    const counters = checks.map(([key]) => {
      let c = this.quotaCounters.get(key);
      if (!c || c.window !== window) {
        c = { window, count: 0 };
        this.quotaCounters.set(key, c);
      }
      return c;
    });
    checks.forEach(([, limit, metric, limitName], i) => {
      if (counters[i]!.count < limit) return;
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
      const err = new ApiError(
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric '${metric}' and limit '${limitName}' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.`,
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: {
              service: 'sheets.googleapis.com',
              quota_metric: `sheets.googleapis.com/${kind}_requests`,
              quota_limit: limitName.replace(/ /g, ''),
              quota_limit_value: String(limit),
              consumer: 'projects/000000000000',
              quota_location: 'global',
            },
          },
        ],
        { 'retry-after': String(retryAfter) },
      );
      call.fault = 'quota';
      throw err;
    });
    for (const c of counters) c.count++;
  }

  private parseBody(api: ApiName, raw: Buffer, method: string): Json {
    if (method === 'GET') return {};
    const text = raw.toString('utf8');
    if (text.trim() === '') return {};
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw invalid('Invalid JSON payload received. Expected an object.');
    const allowed = BODY_FIELDS[api];
    if (allowed) {
      for (const k of Object.keys(parsed)) {
        if (!allowed.includes(k))
          throw invalid(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
      }
    }
    return parsed;
  }

  private checkQuery(api: ApiName, params: URLSearchParams): void {
    const allowed = QUERY_PARAMS[api];
    if (!allowed) return;
    for (const k of new Set(params.keys())) {
      if (!allowed.includes(k) && !SYSTEM_PARAMS.includes(k)) {
        throw invalid(
          `Invalid JSON payload received. Unknown name "${k}": Cannot bind query parameter. Field '${k}' could not be found in request message.`,
        );
      }
    }
  }

  /** OAuth2 token endpoint; errors use the OAuth shape `{ error, error_description }`. */
  private tokenEndpoint(raw: Buffer, contentType: string | undefined): { status: number; body: Json } {
    const oauthError = (error: string, description: string) => ({
      status: 400,
      body: { error, error_description: description },
    });
    const text = raw.toString('utf8');
    const params: Record<string, string> = {};
    try {
      if (contentType?.includes('json')) Object.assign(params, JSON.parse(text || '{}'));
      else for (const [k, v] of new URLSearchParams(text)) params[k] = v;
    } catch {
      return oauthError('invalid_request', 'Malformed request body');
    }
    let email: string | undefined;
    if (params.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const payload = params.assertion?.split('.')[1];
      if (!payload) return oauthError('invalid_grant', 'Missing or malformed assertion');
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json;
        email = (claims.sub ?? claims.iss) as string | undefined;
      } catch {
        return oauthError('invalid_grant', 'Invalid JWT payload');
      }
    } else if (params.grant_type === 'refresh_token') {
      if (!params.refresh_token) return oauthError('invalid_request', 'Missing required parameter: refresh_token');
      email = this.refreshTokens.get(params.refresh_token);
    } else {
      return oauthError('unsupported_grant_type', `Invalid grant_type: ${params.grant_type ?? ''}`);
    }
    const token = `emu-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, email);
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  // ---------------------------------------------------------------------------
  // API methods

  private async dispatch(
    route: { api: ApiName; spreadsheetId?: string; range?: string; metadataId?: string },
    body: Json,
    ex: Exchange,
    user: string | undefined,
  ): Promise<unknown> {
    const q = ex.query;
    const call = ex.call;
    if (route.api === 'spreadsheets.create') return this.apiCreate(body, call);
    const model = this.spreadsheets.get(route.spreadsheetId!);
    if (!model) throw new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (model.deniedAll || (user !== undefined && model.deniedEmails.has(user))) {
      throw new ApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    }
    if (WRITE_APIS.has(route.api)) {
      call.valueInputOption = q.get('valueInputOption') ?? (body.valueInputOption as string | undefined);
      if (route.api === 'spreadsheets.batchUpdate' && Array.isArray(body.requests)) {
        call.requestTypes = (body.requests as unknown[]).map((r) => (isObject(r) ? (Object.keys(r)[0] ?? '?') : '?'));
      }
      await this.runHooks(route.api, model, call, body);
    }
    switch (route.api) {
      case 'spreadsheets.get':
        return this.apiGet(model, q);
      case 'spreadsheets.batchUpdate':
        return this.apiBatchUpdate(model, body, call, user);
      case 'values.get': {
        call.ranges = [route.range!];
        return this.readValueRange(model, route.range!, q);
      }
      case 'values.batchGet': {
        const ranges = q.getAll('ranges');
        call.ranges = ranges;
        const valueRanges = ranges.map((r) => this.readValueRange(model, r, q));
        return valueRanges.length ? { spreadsheetId: model.id, valueRanges } : { spreadsheetId: model.id };
      }
      case 'values.update':
        return this.apiUpdate(model, route.range!, body, q, call);
      case 'values.batchUpdate':
        return this.apiValuesBatchUpdate(model, body, call);
      case 'values.append':
        return this.apiAppend(model, route.range!, body, q, call);
      case 'values.clear': {
        call.ranges = [route.range!];
        const cleared = this.clearRange(model, route.range!);
        call.applied = true;
        return { spreadsheetId: model.id, clearedRange: cleared };
      }
      case 'values.batchClear': {
        const ranges = body.ranges ?? [];
        if (!Array.isArray(ranges) || ranges.some((r) => typeof r !== 'string'))
          throw invalid('ranges must be a list of strings');
        call.ranges = ranges as string[];
        // Validate every range before clearing anything.
        for (const r of ranges as string[]) this.readBounds(model, r);
        const clearedRanges = (ranges as string[]).map((r) => this.clearRange(model, r));
        call.applied = true;
        return { spreadsheetId: model.id, clearedRanges };
      }
      case 'developerMetadata.get': {
        const id = Number(route.metadataId);
        const md = model.developerMetadata.find((m) => m.metadataId === id);
        if (!md) throw new ApiError(404, 'NOT_FOUND', `No developer metadata with id ${route.metadataId}`);
        return clone(md);
      }
      case 'developerMetadata.search':
        return this.apiSearchMetadata(model, body);
      default:
        throw new ApiError(500, 'INTERNAL', `Sheets emulator bug: unrouted ${route.api}`);
    }
  }

  private async runHooks(api: ApiName, model: SpreadsheetModel, call: CallRecord, body: Json): Promise<void> {
    for (const entry of [...this.hooks]) {
      const o = entry.options;
      if (o.apis && !o.apis.includes(api)) continue;
      if (o.spreadsheetId !== undefined && o.spreadsheetId !== model.id) continue;
      if (o.once) {
        const i = this.hooks.indexOf(entry);
        if (i < 0) continue;
        this.hooks.splice(i, 1);
      }
      const ref = (s: string | SheetRef): SheetRef =>
        typeof s === 'string' ? { spreadsheetId: model.id, title: s } : s;
      await entry.handler({
        api,
        spreadsheetId: model.id,
        call,
        body,
        spreadsheet: new SpreadsheetHandle(this, model.id),
        sheet: (title) => this.sheet(model.id, title),
        sortRows: (s, column, descending, options) => this.sortRows(ref(s), column, descending, options),
        insertRow: (s, at, values) => this.insertRow(ref(s), at, values),
        deleteRow: (s, at) => this.deleteRow(ref(s), at),
        editCell: (s, a1, value) => this.editCell(ref(s), a1, value),
      });
    }
  }

  /** Parses an A1 range against a spreadsheet: unknown sheets are "Unable to parse range". */
  private resolve(model: SpreadsheetModel, text: string): ResolvedRange {
    let parsed;
    try {
      parsed = parseA1(text, { sheetNames: model.sheets.map((s) => s.title) });
    } catch (e) {
      if (e instanceof A1ParseError) throw invalid(`Unable to parse range: ${text}`);
      throw e;
    }
    const sheet = parsed.sheet === undefined ? model.sheets[0] : model.sheetByTitle(parsed.sheet);
    if (!sheet) throw invalid(`Unable to parse range: ${text}`);
    return { sheet, r0: parsed.startRow, c0: parsed.startCol, endRow: parsed.endRow, endCol: parsed.endCol };
  }

  private gridError(
    model: SpreadsheetModel,
    sheet: SheetModel,
    r0: number,
    c0: number,
    r1?: number,
    c1?: number,
  ): ApiError {
    return invalid(
      `Range (${model.a1(sheet, r0, c0, r1, c1)}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    );
  }

  /** Read bounds: must start inside the grid, clamped to it. */
  private readBounds(
    model: SpreadsheetModel,
    text: string,
  ): { sheet: SheetModel; r0: number; r1: number; c0: number; c1: number; a1: string } {
    const { sheet, r0, c0, endRow, endCol } = this.resolve(model, text);
    if (r0 >= sheet.rowCount || c0 >= sheet.columnCount) throw this.gridError(model, sheet, r0, c0, endRow, endCol);
    const r1 = Math.min(endRow ?? sheet.rowCount, sheet.rowCount);
    const c1 = Math.min(endCol ?? sheet.columnCount, sheet.columnCount);
    return { sheet, r0, r1, c0, c1, a1: model.a1(sheet, r0, c0, r1, c1) };
  }

  private renderOptions(
    q: URLSearchParams,
    prefix = '',
  ): { render: ValueRenderOption; dateRender: DateTimeRenderOption } {
    const rName = prefix ? `${prefix}ValueRenderOption` : 'valueRenderOption';
    const dName = prefix ? `${prefix}DateTimeRenderOption` : 'dateTimeRenderOption';
    return {
      render: enumParam(q.get(rName) ?? undefined, rName, RENDER_OPTIONS, 'FORMATTED_VALUE'),
      dateRender: enumParam(q.get(dName) ?? undefined, dName, DATE_RENDER_OPTIONS, 'SERIAL_NUMBER'),
    };
  }

  private readValueRange(model: SpreadsheetModel, text: string, q: URLSearchParams): Json {
    const { render, dateRender } = this.renderOptions(q);
    const major = enumParam(q.get('majorDimension') ?? undefined, 'majorDimension', MAJOR_DIMENSIONS, 'ROWS');
    const b = this.readBounds(model, text);
    return this.valueRange(b.sheet, b.a1, b.r0, b.r1, b.c0, b.c1, render, dateRender, major);
  }

  private valueRange(
    sheet: SheetModel,
    a1: string,
    r0: number,
    r1: number,
    c0: number,
    c1: number,
    render: ValueRenderOption,
    dateRender: DateTimeRenderOption,
    major: 'ROWS' | 'COLUMNS' = 'ROWS',
  ): Json {
    let values = sheet.readRows(r0, r1, c0, c1, render, dateRender);
    if (major === 'COLUMNS') values = transposeOut(values);
    const out: Json = { range: a1, majorDimension: major };
    if (values.length) out.values = values;
    return out;
  }

  private inputOption(value: unknown): ValueInputOption {
    if (value === undefined || value === null || value === 'INPUT_VALUE_OPTION_UNSPECIFIED') {
      throw invalid("'valueInputOption' is required but not specified");
    }
    return enumParam(String(value), 'valueInputOption', INPUT_OPTIONS, 'RAW');
  }

  /** Validates a write of `rows` at a range; returns where it lands. Throws before anything is written. */
  private planWrite(
    model: SpreadsheetModel,
    text: string,
    rows: (Scalar | null)[][],
  ): { sheet: SheetModel; r0: number; c0: number; height: number; width: number } {
    const resolved = this.resolve(model, text);
    const { sheet, r0, c0 } = resolved;
    // A single cell is an anchor: the data may extend right and down from it (as in Google's samples).
    const single = resolved.endRow === r0 + 1 && resolved.endCol === c0 + 1;
    const endRow = single ? undefined : resolved.endRow;
    const endCol = single ? undefined : resolved.endCol;
    const height = rows.length;
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    const requested = (): string => model.a1(sheet, r0, c0, endRow, endCol);
    if (endRow !== undefined && r0 + height > endRow) {
      throw invalid(`Requested writing within range [${requested()}], but tried writing to row [${endRow + 1}]`);
    }
    if (endCol !== undefined && c0 + width > endCol) {
      throw invalid(
        `Requested writing within range [${requested()}], but tried writing to column [${cellA1(0, endCol).replace(/\d+$/, '')}]`,
      );
    }
    if (
      r0 >= sheet.rowCount ||
      c0 >= sheet.columnCount ||
      r0 + height > sheet.rowCount ||
      c0 + width > sheet.columnCount
    ) {
      const r1 = Math.max(r0 + height, r0 + 1);
      const c1 = Math.max(c0 + width, c0 + 1);
      throw this.gridError(model, sheet, r0, c0, r1, c1);
    }
    return { sheet, r0, c0, height, width };
  }

  private applyWrite(
    model: SpreadsheetModel,
    sheet: SheetModel,
    r0: number,
    c0: number,
    rows: (Scalar | null)[][],
    input: ValueInputOption,
  ): number {
    let cells = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      for (let j = 0; j < row.length; j++) {
        const v = row[j];
        if (v === null || v === undefined) continue;
        sheet.writeCell(r0 + i, c0 + j, v, input, this.evaluate, model.id);
        cells++;
      }
    }
    return cells;
  }

  private updateResponse(
    model: SpreadsheetModel,
    sheet: SheetModel,
    r0: number,
    c0: number,
    height: number,
    width: number,
    cells: number,
    withValues: { render: ValueRenderOption; dateRender: DateTimeRenderOption } | undefined,
    requestedA1: string,
  ): Json {
    const out: Json = { spreadsheetId: model.id };
    if (height === 0 || width === 0) {
      out.updatedRange = requestedA1;
      return out;
    }
    const a1 = model.a1(sheet, r0, c0, r0 + height, c0 + width);
    Object.assign(out, { updatedRange: a1, updatedRows: height, updatedColumns: width, updatedCells: cells });
    if (withValues) {
      out.updatedData = this.valueRange(
        sheet,
        a1,
        r0,
        r0 + height,
        c0,
        c0 + width,
        withValues.render,
        withValues.dateRender,
      );
    }
    return out;
  }

  private apiUpdate(model: SpreadsheetModel, range: string, body: Json, q: URLSearchParams, call: CallRecord): Json {
    call.ranges = [range];
    const input = this.inputOption(q.get('valueInputOption') ?? undefined);
    const withValues = boolParam(q.get('includeValuesInResponse') ?? undefined, 'include_values_in_response')
      ? this.renderOptions(q, 'response')
      : undefined;
    const major = enumParam(body.majorDimension as string | undefined, 'majorDimension', MAJOR_DIMENSIONS, 'ROWS');
    if (body.range !== undefined) this.checkBodyRange(model, range, body.range);
    const rows = normalizeValues(body.values, major, 'value_range');
    const plan = this.planWrite(model, range, rows);
    const cells = this.applyWrite(model, plan.sheet, plan.r0, plan.c0, rows, input);
    call.applied = true;
    const requested = this.resolve(model, range);
    return this.updateResponse(
      model,
      plan.sheet,
      plan.r0,
      plan.c0,
      plan.height,
      plan.width,
      cells,
      withValues,
      model.a1(
        plan.sheet,
        requested.r0,
        requested.c0,
        requested.endRow ?? plan.sheet.rowCount,
        requested.endCol ?? plan.sheet.columnCount,
      ),
    );
  }

  private checkBodyRange(model: SpreadsheetModel, urlRange: string, bodyRange: unknown): void {
    if (typeof bodyRange !== 'string') throw invalid('Invalid value_range.range: must be a string');
    const a = this.resolve(model, urlRange);
    const b = this.resolve(model, bodyRange);
    if (a.sheet !== b.sheet || a.r0 !== b.r0 || a.c0 !== b.c0 || a.endRow !== b.endRow || a.endCol !== b.endCol) {
      throw invalid(`Requested range [${urlRange}] does not match the range in the body [${bodyRange}]`);
    }
  }

  private apiValuesBatchUpdate(model: SpreadsheetModel, body: Json, call: CallRecord): Json {
    const input = this.inputOption(body.valueInputOption);
    const data = body.data ?? [];
    if (!Array.isArray(data)) throw invalid('Invalid data: must be a list');
    const withValues = body.includeValuesInResponse === true;
    const render = enumParam(
      body.responseValueRenderOption as string | undefined,
      'responseValueRenderOption',
      RENDER_OPTIONS,
      'FORMATTED_VALUE',
    );
    const dateRender = enumParam(
      body.responseDateTimeRenderOption as string | undefined,
      'responseDateTimeRenderOption',
      DATE_RENDER_OPTIONS,
      'SERIAL_NUMBER',
    );
    call.ranges = [];
    // Validate everything first: values.batchUpdate is all-or-nothing.
    const plans = data.map((vr, i) => {
      if (!isObject(vr)) throw invalid(`Invalid data[${i}]: must be an object`);
      for (const k of Object.keys(vr)) {
        if (!['range', 'majorDimension', 'values'].includes(k)) {
          throw invalid(`Invalid JSON payload received. Unknown name "${k}" at 'data[${i}]': Cannot find field.`);
        }
      }
      if (typeof vr.range !== 'string') throw invalid(`Invalid data[${i}]: range is required`);
      call.ranges!.push(vr.range);
      const major = enumParam(vr.majorDimension as string | undefined, 'majorDimension', MAJOR_DIMENSIONS, 'ROWS');
      const rows = normalizeValues(vr.values, major, `data[${i}]`);
      return { rows, range: vr.range, ...this.planWrite(model, vr.range, rows) };
    });
    const responses = plans.map((p) => {
      const cells = this.applyWrite(model, p.sheet, p.r0, p.c0, p.rows, input);
      const response = this.updateResponse(
        model,
        p.sheet,
        p.r0,
        p.c0,
        p.height,
        p.width,
        cells,
        withValues ? { render, dateRender } : undefined,
        p.range,
      );
      return { response, cells };
    });
    call.applied = plans.length > 0;
    const out: Json = { spreadsheetId: model.id };
    if (responses.length) {
      out.totalUpdatedRows = responses.reduce((n, r) => n + ((r.response.updatedRows as number | undefined) ?? 0), 0);
      out.totalUpdatedColumns = responses.reduce(
        (n, r) => n + ((r.response.updatedColumns as number | undefined) ?? 0),
        0,
      );
      out.totalUpdatedCells = responses.reduce((n, r) => n + r.cells, 0);
      out.totalUpdatedSheets = new Set(plans.filter((p) => p.height && p.width).map((p) => p.sheet)).size;
      out.responses = responses.map((r) => r.response);
    }
    return out;
  }

  private apiAppend(model: SpreadsheetModel, range: string, body: Json, q: URLSearchParams, call: CallRecord): Json {
    call.ranges = [range];
    const input = this.inputOption(q.get('valueInputOption') ?? undefined);
    const insert = enumParam(
      q.get('insertDataOption') ?? undefined,
      'insertDataOption',
      ['OVERWRITE', 'INSERT_ROWS'] as const,
      'OVERWRITE',
    );
    const withValues = boolParam(q.get('includeValuesInResponse') ?? undefined, 'include_values_in_response')
      ? this.renderOptions(q, 'response')
      : undefined;
    const major = enumParam(body.majorDimension as string | undefined, 'majorDimension', MAJOR_DIMENSIONS, 'ROWS');
    if (body.range !== undefined) this.checkBodyRange(model, range, body.range);
    const rows = normalizeValues(body.values, major, 'value_range');
    const { sheet, r0, c0, endRow, endCol } = this.resolve(model, range);
    if (r0 >= sheet.rowCount || c0 >= sheet.columnCount) throw this.gridError(model, sheet, r0, c0, endRow, endCol);
    // The "table": rows with values in the range's columns, from the range's first row on.
    const cEnd = Math.min(endCol ?? sheet.columnCount, sheet.columnCount);
    let first = -1;
    let last = -1;
    let lastCol = c0;
    const scanEnd = Math.min(sheet.rows.length, endRow ?? Infinity);
    for (let r = r0; r < scanEnd; r++) {
      const v = sheet.rows[r]?.v;
      if (!v) continue;
      let e = Math.min(v.length, cEnd);
      while (e > c0 && v[e - 1] === undefined) e--;
      if (e > c0) {
        if (first < 0) first = r;
        last = r;
        lastCol = Math.max(lastCol, e);
      }
    }
    const start = last >= 0 ? last + 1 : r0;
    const height = rows.length;
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    // The grid grows to take the rows; Google refuses the append if that passes the spreadsheet's cell limit.
    const newRows = insert === 'INSERT_ROWS' ? height : Math.max(0, start + height - sheet.rowCount);
    const newColumns = Math.max(0, c0 + width - sheet.columnCount);
    const grown = model.cellCount() + newRows * sheet.columnCount + newColumns * (sheet.rowCount + newRows);
    if (height && grown > model.cellCount() && grown > model.cellLimit)
      throw invalid(cellLimitMessage(model.cellLimit));
    if (height) {
      if (insert === 'INSERT_ROWS') model.insertDimension(sheet, 'ROWS', Math.min(start, sheet.rowCount), height);
      else if (start + height > sheet.rowCount) sheet.rowCount = start + height;
      if (c0 + width > sheet.columnCount) sheet.columnCount = c0 + width;
    }
    const cells = this.applyWrite(model, sheet, start, c0, rows, input);
    call.applied = height > 0;
    const out: Json = { spreadsheetId: model.id };
    if (first >= 0) out.tableRange = model.a1(sheet, first, c0, last + 1, lastCol);
    out.updates = this.updateResponse(
      model,
      sheet,
      start,
      c0,
      height,
      width,
      cells,
      withValues,
      model.a1(sheet, start, c0, start + 1, c0 + 1),
    );
    return out;
  }

  private clearRange(model: SpreadsheetModel, text: string): string {
    const { sheet, r0, r1, c0, c1, a1 } = this.readBounds(model, text);
    const end = Math.min(r1, sheet.rows.length);
    for (let r = r0; r < end; r++) {
      const row = sheet.rows[r];
      if (!row) continue;
      for (let c = Math.min(c1, row.v.length) - 1; c >= c0; c--) if (row.v[c] !== undefined) sheet.clearCell(r, c);
    }
    return a1;
  }

  private apiBatchUpdate(model: SpreadsheetModel, body: Json, call: CallRecord, user: string | undefined): Json {
    const replies = runBatchUpdate(model, body.requests, { requesterEmail: user, evaluate: this.evaluate }, (u) => {
      this.unknownRequests.push({
        method: call.method,
        path: call.path,
        api: 'spreadsheets.batchUpdate',
        reason: `request type "${u.type}" is not implemented (requests[${u.index}])`,
        requestType: u.type,
      });
    });
    call.applied = true;
    const out: Json = { spreadsheetId: model.id, replies };
    if (body.includeSpreadsheetInResponse === true) {
      const q = new URLSearchParams();
      for (const r of (body.responseRanges as string[] | undefined) ?? []) q.append('ranges', r);
      if (body.responseIncludeGridData === true) q.set('includeGridData', 'true');
      out.updatedSpreadsheet = this.apiGet(model, q);
    }
    return out;
  }

  private apiCreate(body: Json, call: CallRecord): Json {
    const props = isObject(body.properties) ? body.properties : {};
    const id = randomBytes(33).toString('base64url');
    const sheets = Array.isArray(body.sheets) ? (body.sheets as unknown[]) : [];
    const seeds: SheetSeed[] = sheets.map((s, i) => {
      const p = isObject(s) && isObject(s.properties) ? s.properties : {};
      const grid = isObject(p.gridProperties) ? p.gridProperties : {};
      const seed: SheetSeed = { title: typeof p.title === 'string' ? p.title : `Sheet${i + 1}` };
      if (typeof p.sheetId === 'number') seed.sheetId = p.sheetId;
      if (typeof grid.rowCount === 'number') seed.rowCount = grid.rowCount;
      if (typeof grid.columnCount === 'number') seed.columnCount = grid.columnCount;
      if (typeof grid.frozenRowCount === 'number') seed.frozenRowCount = grid.frozenRowCount;
      return seed;
    });
    this.createSpreadsheet(id, {
      title: typeof props.title === 'string' ? props.title : 'Untitled spreadsheet',
      sheets: seeds,
    });
    call.spreadsheetId = id;
    call.applied = true;
    return this.apiGet(this.model(id), new URLSearchParams());
  }

  private apiSearchMetadata(model: SpreadsheetModel, body: Json): Json {
    const filters = body.dataFilters;
    if (!Array.isArray(filters) || !filters.length) throw invalid('dataFilters must not be empty');
    const matched: Json[] = [];
    for (const md of model.developerMetadata) {
      const hits = (filters as unknown[]).filter((f) => {
        if (!isObject(f) || !isObject(f.developerMetadataLookup)) {
          throw invalid('Sheets emulator: only developerMetadataLookup data filters are supported');
        }
        return matchesLookup(md, f.developerMetadataLookup);
      });
      if (hits.length) matched.push({ developerMetadata: clone(md), dataFilters: clone(hits) });
    }
    return matched.length ? { matchedDeveloperMetadata: matched } : {};
  }

  private apiGet(model: SpreadsheetModel, q: URLSearchParams): Json {
    this.checkQuery('spreadsheets.get', q);
    const fields = q.get('fields');
    const wantGrid = fields
      ? maskSelects(parseFieldMask(fields), ['sheets', 'data'])
      : boolParam(q.get('includeGridData') ?? undefined, 'include_grid_data');
    const ranges = q.getAll('ranges');
    const bySheet = new Map<SheetModel, { r0: number; r1: number; c0: number; c1: number }[]>();
    for (const text of ranges) {
      const b = this.readBounds(model, text);
      const list = bySheet.get(b.sheet) ?? [];
      list.push(b);
      bySheet.set(b.sheet, list);
    }
    const sheets = ranges.length ? model.sheets.filter((s) => bySheet.has(s)) : model.sheets;
    const out: Json = {
      spreadsheetId: model.id,
      properties: model.properties(),
      sheets: sheets.map((s) => {
        const entry: Json = { properties: s.properties(model.sheets.indexOf(s)) };
        if (wantGrid) {
          const meta = this.dimensionMetadata(model, s);
          const areas = bySheet.get(s) ?? [{ r0: 0, r1: s.rowCount, c0: 0, c1: s.columnCount }];
          entry.data = areas.map((a) => s.gridData(a.r0, a.r1, a.c0, a.c1, meta));
        }
        if (s.protectedRanges.length)
          entry.protectedRanges = s.protectedRanges.map((p) => ({ ...clone(p), requestingUserCanEdit: true }));
        if (s.conditionalFormats.length) entry.conditionalFormats = clone(s.conditionalFormats);
        if (s.charts.length) entry.charts = clone(s.charts);
        const sheetMd = model.developerMetadata.filter((m) => (m.location as Json).sheetId === s.sheetId);
        if (sheetMd.length) entry.developerMetadata = clone(sheetMd);
        return entry;
      }),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${model.id}/edit`,
    };
    const top = model.developerMetadata.filter((m) => (m.location as Json).spreadsheet === true);
    if (top.length) out.developerMetadata = clone(top);
    return out;
  }

  private dimensionMetadata(model: SpreadsheetModel, sheet: SheetModel): (dim: Dimension, i: number) => Json {
    const located = new Map<string, Json[]>();
    for (const md of model.developerMetadata) {
      const dr = (md.location as Json).dimensionRange as Json | undefined;
      if (!dr || dr.sheetId !== sheet.sheetId) continue;
      const key = `${dr.dimension as string}:${dr.startIndex as number}`;
      located.set(key, [...(located.get(key) ?? []), clone(md)]);
    }
    return (dim, i) => {
      const props = sheet.dimensionPropertiesAt(dim, i);
      const md = located.get(`${dim}:${i}`);
      return md ? { ...props, developerMetadata: md } : props;
    };
  }
}

function cellOf(sheet: SheetModel, a1: string): { r: number; c: number } {
  const parsed = parseA1(a1);
  if (parsed.sheet !== undefined && parsed.sheet.toLowerCase() !== sheet.title.toLowerCase()) {
    throw new Error(`cell ${a1} is not on sheet ${sheet.title}`);
  }
  if (parsed.endRow !== parsed.startRow + 1 || parsed.endCol !== parsed.startCol + 1)
    throw new Error(`${a1} is not a single cell`);
  return { r: parsed.startRow, c: parsed.startCol };
}

function resolveColumn(sheet: SheetModel, column: ColumnRef): number {
  if (typeof column === 'number') return column;
  if (typeof column === 'string') return lettersToColumn(column);
  const header = sheet.rows[0]?.v ?? [];
  let i = header.findIndex((v) => v === column.header);
  if (i < 0) i = header.findIndex((v) => typeof v === 'string' && v.toLowerCase() === column.header.toLowerCase());
  if (i < 0) throw new Error(`no header "${column.header}" in ${sheet.title}`);
  return i;
}

/** Inspection and staff actions on one spreadsheet. */
export class SpreadsheetHandle {
  readonly spreadsheetId: string;
  private readonly emulator: SheetsEmulator;

  constructor(emulator: SheetsEmulator, spreadsheetId: string) {
    this.emulator = emulator;
    this.spreadsheetId = spreadsheetId;
  }

  get title(): string {
    return this.emulator.model(this.spreadsheetId).title;
  }

  get sheets(): SheetHandle[] {
    return this.emulator
      .model(this.spreadsheetId)
      .sheets.map((s) => new SheetHandle(this.emulator, this.spreadsheetId, s.title));
  }

  get sheetTitles(): string[] {
    return this.emulator.model(this.spreadsheetId).sheets.map((s) => s.title);
  }

  sheet(title: string): SheetHandle {
    return this.emulator.sheet(this.spreadsheetId, title);
  }

  /** All developer metadata (spreadsheet, sheet, row and column locations). */
  get developerMetadata(): Json[] {
    return clone(this.emulator.model(this.spreadsheetId).developerMetadata);
  }

  /** Adds a tab as staff would (USER_ENTERED rows). */
  addSheet(
    title: string,
    rows: unknown[][] = [],
    options: { rowCount?: number; columnCount?: number } = {},
  ): SheetHandle {
    const model = this.emulator.model(this.spreadsheetId);
    if (model.sheetByTitle(title)) throw new Error(`sheet ${title} exists`);
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    const sheet = new SheetModel(
      model.newId(),
      title,
      options.rowCount ?? Math.max(1000, rows.length),
      options.columnCount ?? Math.max(26, width),
    );
    model.sheets.push(sheet);
    rows.forEach((row, r) => this.emulator.writeRow(model, sheet, r, row, 'USER_ENTERED', false));
    return new SheetHandle(this.emulator, this.spreadsheetId, title);
  }
}

/** Inspection and staff actions on one tab. Methods look the tab up by title on every call. */
export class SheetHandle implements SheetRef {
  readonly spreadsheetId: string;
  readonly title: string;
  private readonly emulator: SheetsEmulator;

  constructor(emulator: SheetsEmulator, spreadsheetId: string, title: string) {
    this.emulator = emulator;
    this.spreadsheetId = spreadsheetId;
    this.title = title;
  }

  private get model(): SheetModel {
    return this.emulator.sheetModel(this);
  }

  get sheetId(): number {
    return this.model.sheetId;
  }

  get index(): number {
    return this.emulator.model(this.spreadsheetId).sheets.indexOf(this.model);
  }

  get rowCount(): number {
    return this.model.rowCount;
  }

  get columnCount(): number {
    return this.model.columnCount;
  }

  get frozenRowCount(): number {
    return this.model.frozenRowCount;
  }

  get frozenColumnCount(): number {
    return this.model.frozenColumnCount;
  }

  /** SheetProperties as spreadsheets.get returns them. */
  get properties(): Json {
    return this.model.properties(this.index);
  }

  /** Number of the last row holding a value (1-based; 0 for an empty tab). */
  get lastRow(): number {
    return this.model.lastValueRow();
  }

  /** Whole tab as values.get would return it (default FORMATTED_VALUE). */
  values(options: { render?: ValueRenderOption; dateRender?: DateTimeRenderOption } = {}): Scalar[][] {
    const s = this.model;
    return s.readRows(
      0,
      s.rowCount,
      0,
      s.columnCount,
      options.render ?? 'FORMATTED_VALUE',
      options.dateRender ?? 'SERIAL_NUMBER',
    );
  }

  /** Shorthand for values() with FORMATTED_VALUE. */
  get rows(): Scalar[][] {
    return this.values();
  }

  /** Values of an A1 range of this tab (`B2:D`), like values.get. */
  get(a1: string, options: { render?: ValueRenderOption; dateRender?: DateTimeRenderOption } = {}): Scalar[][] {
    const s = this.model;
    const p = parseA1(a1);
    const r1 = Math.min(p.endRow ?? s.rowCount, s.rowCount);
    const c1 = Math.min(p.endCol ?? s.columnCount, s.columnCount);
    return s.readRows(
      p.startRow,
      r1,
      p.startCol,
      c1,
      options.render ?? 'FORMATTED_VALUE',
      options.dateRender ?? 'SERIAL_NUMBER',
    );
  }

  /** Everything about one cell: value, formula, formats, validation, note. */
  cell(a1: string): CellInfo {
    const s = this.model;
    const { r, c } = cellOf(s, a1);
    const row = s.rows[r];
    const v = row?.v[c];
    const meta = row?.m?.[c];
    const nf = s.numberFormatAt(r, c);
    const fmt = s.effectiveFormat(r, c);
    const formula = meta?.formula;
    let type: CellInfo['type'] = 'empty';
    if (formula !== undefined) type = 'formula';
    else if (v !== undefined) type = typeof v as 'string' | 'number' | 'boolean';
    return {
      a1: cellA1(r, c),
      empty: v === undefined,
      type,
      value: v,
      formattedValue:
        v === undefined
          ? ''
          : typeof v === 'number'
            ? formatNumber(v, nf)
            : typeof v === 'boolean'
              ? v
                ? 'TRUE'
                : 'FALSE'
              : v,
      formula,
      userEnteredValue: formula ?? v,
      numberFormat: nf ? clone(nf) : undefined,
      format: fmt ? (JSON.parse(JSON.stringify(fmt)) as Json) : undefined,
      dataValidation: clone(s.validationAt(r, c)),
      note: meta?.note,
    };
  }

  /** Data validation rules as applied, in order (later ones win where they overlap). */
  get dataValidations(): { range: string; gridRange: GridRange; rule: Json | null }[] {
    const s = this.model;
    return s.validations.map((l) => ({ range: this.rangeA1(l.range), gridRange: { ...l.range }, rule: clone(l.rule) }));
  }

  dataValidationAt(a1: string): Json | undefined {
    const { r, c } = cellOf(this.model, a1);
    return clone(this.model.validationAt(r, c));
  }

  /** Protected ranges as spreadsheets.get returns them (with editors), plus their A1 range. */
  get protectedRanges(): (Json & { a1: string })[] {
    return this.model.protectedRanges.map((p) => ({ ...clone(p), a1: this.rangeA1(p.range as GridRange) }));
  }

  get conditionalFormats(): Json[] {
    return clone(this.model.conditionalFormats);
  }

  get charts(): Json[] {
    return clone(this.model.charts);
  }

  /** Developer metadata located on this tab or on its rows/columns. */
  get developerMetadata(): Json[] {
    const id = this.model.sheetId;
    return clone(
      this.emulator.model(this.spreadsheetId).developerMetadata.filter((m) => {
        const loc = m.location as Json;
        return loc.sheetId === id || (loc.dimensionRange as Json | undefined)?.sheetId === id;
      }),
    );
  }

  /** Range formats (RepeatCell), in order. */
  get formats(): { range: string; format: Json; fields: string }[] {
    return this.model.formats.map((l) => ({
      range: this.rangeA1(l.range),
      format: clone(l.format),
      fields: treeText(l.tree),
    }));
  }

  dimensionProperties(dimension: Dimension, index: number): Json {
    return this.model.dimensionPropertiesAt(dimension, index);
  }

  private rangeA1(g: GridRange): string {
    const range: { sheet: string; startRow: number; startCol: number; endRow?: number; endCol?: number } = {
      sheet: this.title,
      startRow: g.startRowIndex ?? 0,
      startCol: g.startColumnIndex ?? 0,
    };
    if (g.endRowIndex !== undefined) range.endRow = g.endRowIndex;
    if (g.endColumnIndex !== undefined) range.endCol = g.endColumnIndex;
    if (range.endRow === undefined && range.endCol === undefined && (range.startRow || range.startCol)) {
      range.endCol = this.model.columnCount;
    }
    return this.emulator
      .model(this.spreadsheetId)
      .a1(this.model, range.startRow, range.startCol, range.endRow, range.endCol);
  }

  // --- staff actions ---------------------------------------------------------------

  sortRows(column: ColumnRef, descending = false, options: SortOptions = {}): void {
    this.emulator.sortRows(this, column, descending, options);
  }

  insertRow(at: number, values: unknown[] = [], options: InputOptions = {}): void {
    this.emulator.insertRow(this, at, values, options);
  }

  deleteRow(at: number): void {
    this.emulator.deleteRow(this, at);
  }

  editCell(a1: string, value: unknown): void {
    this.emulator.editCell(this, a1, value);
  }

  setCell(a1: string, value: unknown, options: InputOptions = {}): void {
    this.emulator.setCell(this, a1, value, options);
  }

  setRows(rows: unknown[][], options: InputOptions & { startRow?: number } = {}): void {
    this.emulator.setRows(this, rows, options);
  }

  /** Adds a row after the last row holding a value. */
  appendRow(values: unknown[], options: InputOptions = {}): void {
    this.emulator.setRows(this, [values], { ...options, startRow: this.lastRow + 1 });
  }

  /** Gives a range (A1 of this tab) a number format, as staff formatting a column would. */
  setNumberFormat(a1: string, numberFormat: NumberFormat): void {
    const s = this.model;
    const p = parseA1(a1);
    const range: GridRange = { sheetId: s.sheetId, startRowIndex: p.startRow, startColumnIndex: p.startCol };
    if (p.endRow !== undefined) range.endRowIndex = p.endRow;
    if (p.endCol !== undefined) range.endColumnIndex = p.endCol;
    s.setRangeFormat(range, { numberFormat }, new Map([['numberFormat', null]]));
  }

  /** Changes the grid size (shrinking drops the cells outside). */
  resize(size: { rowCount?: number; columnCount?: number }): void {
    const model = this.emulator.model(this.spreadsheetId);
    const s = this.model;
    if (size.rowCount !== undefined) {
      if (size.rowCount < s.rowCount) model.deleteDimension(s, 'ROWS', size.rowCount, s.rowCount - size.rowCount);
      else s.rowCount = size.rowCount;
    }
    if (size.columnCount !== undefined) {
      if (size.columnCount < s.columnCount)
        model.deleteDimension(s, 'COLUMNS', size.columnCount, s.columnCount - size.columnCount);
      else s.columnCount = size.columnCount;
    }
  }
}

function treeText(tree: FieldTree): string {
  if (tree === null) return '*';
  return [...tree].map(([k, sub]) => (sub === null ? k : `${k}(${treeText(sub)})`)).join(',');
}

export { SUPPORTED_REQUESTS };
