/**
 * A local HTTP emulator of the Airtable Web API, for tests that drive the real `airtable`
 * client (airtable.js 0.12.2) and plain `fetch` to the Metadata API.
 *
 * Pointing the client at it:
 *   const emu = new AirtableEmulator({ tokens: { 'pat-test': { bases: '*' } } });
 *   const endpointUrl = await emu.start();          // http://127.0.0.1:PORT (no trailing slash)
 *   const baseId = emu.createBase({ name: 'Tracker', tables: [{ name: 'Proposals', fields: [...] }] });
 *   const at = new Airtable({ apiKey: 'pat-test', endpointUrl, noRetryIfRateLimited: true });
 *   await at.base(baseId)('Proposals').select({ pageSize: 100 }).all();
 *   await fetch(`${endpointUrl}/v0/meta/bases/${baseId}/tables`, { headers: { authorization: 'Bearer pat-test' } });
 *
 * Emulated (shapes checked against Airtable's public API reference and error answers seen in the wild):
 * - Auth: `Authorization: Bearer <token>`; tokens are granted bases ('*' or a list) and scopes
 *   (data.records:read/write, schema.bases:read/write). No or unknown token: 401
 *   AUTHENTICATION_REQUIRED. Unknown base, a base not granted, or a missing scope: 403
 *   INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND (Airtable has no separate type for a missing scope;
 *   the emulator's message names the scope). Unknown table: 403 the same way by default, as
 *   Airtable answers personal access tokens; `unknownTable: 'notFound'` gives 404 TABLE_NOT_FOUND.
 * - Records (records-api.ts): list by GET `/v0/{base}/{table}` and POST `.../listRecords` with
 *   pageSize (≤ 100), maxRecords, offset (an iterator: expired or invalidated offsets fail with
 *   422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE), fields[], filterByFormula (the subset in
 *   formula.ts), sort, view ("Grid view" only), returnFieldsByFieldId, cellFormat json|string;
 *   GET one record; create (POST, ≤ 10, typecast), update PATCH (merge) and PUT (replace,
 *   clears fields it does not name), both ≤ 10, and DELETE (`records[]`, ≤ 10), in batch and
 *   one-record path forms. Tables by name or `tbl` id, fields by name or `fld` id, record ids
 *   `rec` + 14, createdTime. Empty cells are left out of answers. Batches are all-or-nothing.
 *   Errors: 422 INVALID_RECORDS (more than 10, or malformed), UNKNOWN_FIELD_NAME,
 *   INVALID_VALUE_FOR_COLUMN, INVALID_MULTIPLE_CHOICE_OPTIONS, ROW_DOES_NOT_EXIST (a batch
 *   naming a record that does not exist), 404 NOT_FOUND (one-record path forms),
 *   INVALID_FILTER_BY_FORMULA, INVALID_REQUEST_UNKNOWN (bad parameters, unknown body keys).
 * - Metadata API (meta-api.ts): list tables, create table, create field, update field (name and
 *   description only, as Airtable: choices cannot be added there; typecast writes add them),
 *   plus GET /v0/meta/bases and /v0/meta/whoami. Field types (single line and long text, email, url, phone,
 *   number, date, dateTime, checkbox, single and multiple selects) and their validation: fields.ts.
 * - Rate limits (rate-limit.ts): 5 requests/s per base and 50/s per token, sliding window,
 *   429 RATE_LIMIT_REACHED, then 30 s of refusals; all configurable, or off.
 * - A record limit per base (all tables together): creating past it fails with 422
 *   RECORD_LIMIT_EXCEEDED (type not confirmed by a public source).
 * - Faults (faults.ts): scripted (`failNext`) and seeded random (`faults`): 5xx, 429 with or
 *   without Retry-After, slow answers, dropped connections, and apply-then-drop for writes.
 * - A staff member: direct methods to add, edit, delete and sort records, to change the schema
 *   (delete a table, field or choice), to limit who may edit a field (API writes to it then fail
 *   with 403 INVALID_PERMISSIONS), and hooks that act between the service's read and write.
 * - A request log (`calls`): method, path, base, table, status, error type, records in the
 *   request or answer, fault, time.
 *
 * Not emulated: views other than the default grid, attachments, linked records, lookups,
 * formulas/rollups and other computed fields, collaborators, comments,
 * webhooks, performUpsert (answered 422), the destructive Metadata API calls (delete field or
 * table do not exist in the Web API either), cellFormat=string beyond plain text, and monthly
 * call quotas. Long text cells hold at most 100,000 characters, as in Airtable.
 */
import http from 'node:http';
import { closeHttp, listenHttp } from '../local-http.ts';
import {
  FaultInjector,
  type CallKind,
  type FailNextOptions,
  type FaultLabel,
  type RandomFaultOptions,
} from './faults.ts';
import { addChoice, buildField, choicesOf, normalizeCell } from './fields.ts';
import { createField, createTable, listTables, tableJson, updateField } from './meta-api.ts';
import {
  ALL_SCOPES,
  AirtableApiError,
  BaseModel,
  errors,
  newId,
  TableModel,
  type CellValue,
  type Json,
  type RecordModel,
  type Scope,
} from './model.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import {
  compareCells,
  createRecords,
  deleteRecords,
  getRecord,
  IteratorStore,
  listParamsFromBody,
  listParamsFromQuery,
  listRecords,
  recordJson,
  updateRecords,
} from './records-api.ts';

export type { CallKind, FailNextOptions, RandomFaultOptions } from './faults.ts';
export type { FieldType, Json, Scope } from './model.ts';
export type { RateLimitOptions } from './rate-limit.ts';
export { ALL_SCOPES } from './model.ts';

export type ApiName =
  | 'records.list'
  | 'records.listPost'
  | 'records.get'
  | 'records.create'
  | 'records.update'
  | 'records.replace'
  | 'records.delete'
  | 'meta.listBases'
  | 'meta.listTables'
  | 'meta.createTable'
  | 'meta.createField'
  | 'meta.updateField'
  | 'meta.whoami'
  | 'unknown';

const API_KIND: Record<ApiName, CallKind> = {
  'records.list': 'read',
  'records.listPost': 'read',
  'records.get': 'read',
  'records.create': 'write',
  'records.update': 'write',
  'records.replace': 'write',
  'records.delete': 'write',
  'meta.listBases': 'meta-read',
  'meta.listTables': 'meta-read',
  'meta.createTable': 'meta-write',
  'meta.createField': 'meta-write',
  'meta.updateField': 'meta-write',
  'meta.whoami': 'other',
  unknown: 'other',
};

const API_SCOPE: Partial<Record<ApiName, Scope>> = {
  'records.list': 'data.records:read',
  'records.listPost': 'data.records:read',
  'records.get': 'data.records:read',
  'records.create': 'data.records:write',
  'records.update': 'data.records:write',
  'records.replace': 'data.records:write',
  'records.delete': 'data.records:write',
  'meta.listBases': 'schema.bases:read',
  'meta.listTables': 'schema.bases:read',
  'meta.createTable': 'schema.bases:write',
  'meta.createField': 'schema.bases:write',
  'meta.updateField': 'schema.bases:write',
};

export interface CallRecord {
  seq: number;
  /** Emulator clock (ms) when the request arrived. */
  time: number;
  method: string;
  /** Path without the query string, percent-encoded as sent. */
  path: string;
  query: Record<string, string[]>;
  api: ApiName;
  kind: CallKind;
  baseId?: string;
  /** The table as the request named it (name or id). */
  table?: string;
  /** The table's id, when it exists. */
  tableId?: string;
  token?: string;
  /** Records in the request (writes) or in the answer (reads). */
  records: number;
  bytesIn: number;
  bytesOut: number;
  /** HTTP status; 0 when the connection was dropped without an answer. */
  status: number;
  /** Airtable error type sent back, if any. */
  errorType?: string;
  /** Why the emulator failed it on purpose: a fault, or the rate limiter. */
  fault?: FaultLabel | 'rateLimit';
  /** True when a write changed the base (even if its answer was then lost). */
  applied?: boolean;
  durationMs: number;
  /** Parsed request body; only with `recordBodies: true`. */
  body?: unknown;
}

export interface TokenGrant {
  /** Bases the token may use: '*' or a list of base ids (default '*'). */
  bases?: '*' | string[];
  /** Default: all four scopes. */
  scopes?: Scope[];
  /** The user behind the token, for /v0/meta/whoami. */
  userId?: string;
}

export interface AirtableEmulatorOptions {
  /** Accepted tokens. Without this option any non-empty bearer token has full access. */
  tokens?: Record<string, TokenGrant>;
  /** false turns rate limits off; otherwise Airtable's 5/s per base and 50/s per token, 30 s penalty. */
  rateLimit?: RateLimitOptions | false;
  /** Clock (ms) for rate limits, createdTime and call times (default Date.now); see advanceClock(). */
  clock?: () => number;
  /** Default record limit of new bases (default 50,000, the Team plan). */
  recordLimit?: number;
  /** How long a list offset stays valid (default 5 minutes). */
  iteratorTtlMs?: number;
  /** Unknown table: 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND (default) or 404 TABLE_NOT_FOUND. */
  unknownTable?: 'forbidden' | 'notFound';
  /** Keep parsed request bodies in `calls` (default false). */
  recordBodies?: boolean;
  host?: string;
  port?: number;
}

export interface FieldSeed {
  name: string;
  type: string;
  description?: string;
  options?: Json;
}

export interface TableSeed {
  name: string;
  description?: string;
  /** The first field is the primary field. */
  fields: FieldSeed[];
  /** Records by field name, entered as staff would (typecast: new select choices are added). */
  records?: Json[];
}

export interface BaseSeed {
  id?: string;
  name?: string;
  recordLimit?: number;
  tables?: TableSeed[];
}

export interface StaffRecord {
  id: string;
  createdTime: string;
  /** Non-empty cells by field name. */
  fields: Json;
}

export interface WriteHookContext {
  api: ApiName;
  baseId: string;
  call: CallRecord;
  body: unknown;
  staff: Staff;
}

export type WriteHook = (ctx: WriteHookContext) => void | Promise<void>;

export interface WriteHookOptions {
  /** Run only before the first matching write (default true). */
  once?: boolean;
  /** Which writes (default: record writes only, not Metadata API calls). */
  kinds?: ('write' | 'meta-write')[];
  baseId?: string;
  /** Only writes to this table (name or id). */
  table?: string;
}

export interface BetweenReadAndWriteOptions {
  baseId?: string;
  /** Only a read of this table (name or id) arms it, and only a write to it triggers it. */
  table?: string;
}

/** What a staff member can do in the Airtable UI, without going through the API. */
export interface Staff {
  addRecord(baseId: string, table: string, fields: Json): string;
  editRecord(baseId: string, table: string, recordId: string, fields: Json): void;
  deleteRecord(baseId: string, table: string, recordId: string): void;
  sortRecords(baseId: string, table: string, field: string, descending?: boolean): void;
  records(baseId: string, table: string): StaffRecord[];
}

class DroppedConnection extends Error {}

interface Route {
  api: ApiName;
  baseId?: string;
  table?: string;
  recordId?: string;
  fieldId?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class AirtableEmulator implements Staff {
  private server: http.Server | undefined;
  private readonly bases = new Map<string, BaseModel>();
  private readonly iterators = new Map<string, IteratorStore>();
  private readonly tokens: Map<string, TokenGrant> | undefined;
  private readonly hooks: { handler: WriteHook; options: WriteHookOptions & { once: boolean } }[] = [];
  private readonly betweenHooks: { action: WriteHook; options: BetweenReadAndWriteOptions; readSeen: boolean }[] = [];
  private readonly faultInjector = new FaultInjector();
  private limiter: RateLimiter | undefined;
  private clockOffset = 0;
  private seq = 0;
  private readonly clockFn: () => number;
  private readonly defaultRecordLimit: number;
  private readonly iteratorTtlMs: number;
  private readonly unknownTable: 'forbidden' | 'notFound';
  private readonly recordBodies: boolean;
  private readonly host: string;
  private readonly port: number;

  /** Every request that reached the emulator, in arrival order. */
  readonly calls: CallRecord[] = [];
  /** endpointUrl once started, e.g. `http://127.0.0.1:54321` (no trailing slash, as airtable.js wants). */
  endpointUrl = '';

  constructor(options: AirtableEmulatorOptions = {}) {
    this.clockFn = options.clock ?? Date.now;
    this.defaultRecordLimit = options.recordLimit ?? 50_000;
    this.iteratorTtlMs = options.iteratorTtlMs ?? 5 * 60_000;
    this.unknownTable = options.unknownTable ?? 'forbidden';
    this.recordBodies = options.recordBodies ?? false;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.tokens = options.tokens ? new Map(Object.entries(options.tokens)) : undefined;
    this.setRateLimit(options.rateLimit === undefined ? {} : options.rateLimit);
  }

  // ---------------------------------------------------------------------------
  // lifecycle

  async start(): Promise<string> {
    if (this.server) return this.endpointUrl;
    const { server, origin } = await listenHttp((req, res) => this.handle(req, res), this.host, this.port);
    this.server = server;
    this.endpointUrl = `${origin}`;
    return this.endpointUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeHttp(server);
  }

  // ---------------------------------------------------------------------------
  // bases and tokens

  /** Creates a base (tables, fields and records as staff would set them up) and returns its id. */
  createBase(seed: BaseSeed = {}): string {
    const id = seed.id ?? newId('app');
    const base = new BaseModel(id, seed.name ?? 'Untitled Base', seed.recordLimit ?? this.defaultRecordLimit);
    this.bases.set(id, base);
    this.iterators.set(id, new IteratorStore(this.iteratorTtlMs));
    for (const t of seed.tables ?? []) this.addTable(id, t);
    return id;
  }

  deleteBase(baseId: string): void {
    this.bases.delete(baseId);
    this.iterators.delete(baseId);
  }

  /** @internal the model, for inspection in tests. */
  base(baseId: string): BaseModel {
    const b = this.bases.get(baseId);
    if (!b) throw new Error(`AirtableEmulator: no base ${baseId}`);
    return b;
  }

  /** @internal */
  table(baseId: string, table: string): TableModel {
    const t = this.base(baseId).table(table);
    if (!t) throw new Error(`AirtableEmulator: no table "${table}" in ${baseId}`);
    return t;
  }

  /** The table as the Metadata API shows it. */
  tableSchema(baseId: string, table: string): Json {
    return tableJson(this.table(baseId, table));
  }

  addTable(baseId: string, seed: TableSeed): string {
    const base = this.base(baseId);
    const created = createTable(base, {
      name: seed.name,
      ...(seed.description ? { description: seed.description } : {}),
      fields: seed.fields,
    });
    for (const r of seed.records ?? []) this.addRecord(baseId, seed.name, r);
    return created.id as string;
  }

  /** Staff deletes a whole table (for repair tests). */
  deleteTable(baseId: string, table: string): void {
    const base = this.base(baseId);
    const t = this.table(baseId, table);
    base.tables.splice(base.tables.indexOf(t), 1);
  }

  /** Staff adds a field in the UI. Returns its id. */
  addField(baseId: string, table: string, spec: FieldSeed): string {
    const t = this.table(baseId, table);
    const field = buildField(
      spec,
      t.fields.map((f) => f.name),
      t.fields.length === 0,
    );
    t.fields.push(field);
    return field.id;
  }

  /** Staff deletes a field (and its cells) in the UI. The primary field cannot be deleted. */
  deleteField(baseId: string, table: string, field: string): void {
    const t = this.table(baseId, table);
    const f = t.field(field);
    if (!f) throw new Error(`AirtableEmulator: no field "${field}"`);
    if (f === t.primaryField) throw new Error('AirtableEmulator: the primary field cannot be deleted');
    t.fields.splice(t.fields.indexOf(f), 1);
    for (const r of t.records.values()) r.cells.delete(f.id);
  }

  /** Staff removes a select choice (cells holding it are cleared, as in Airtable). */
  deleteChoice(baseId: string, table: string, field: string, choice: string): void {
    const f = this.table(baseId, table).field(field);
    if (!f || f.type !== 'singleSelect') throw new Error(`AirtableEmulator: no select field "${field}"`);
    f.options = { ...f.options, choices: choicesOf(f).filter((c) => c.name !== choice) };
    for (const r of this.table(baseId, table).records.values()) if (r.cells.get(f.id) === choice) r.cells.delete(f.id);
  }

  /** Staff adds a select choice. */
  addChoice(baseId: string, table: string, field: string, choice: string): void {
    const f = this.table(baseId, table).field(field);
    if (!f || f.type !== 'singleSelect') throw new Error(`AirtableEmulator: no select field "${field}"`);
    if (!choicesOf(f).some((c) => c.name === choice)) addChoice(f, choice);
  }

  /**
   * Limits who may edit a field, as a base creator can on Team plans and up (the API cannot set
   * it): from now on an API write naming the field, or a PUT (which would clear it), fails with
   * 403 INVALID_PERMISSIONS. Staff methods still edit it. A test can so prove that the service
   * never writes staff fields.
   */
  restrictFieldEditing(baseId: string, table: string, field: string): void {
    const t = this.table(baseId, table);
    const f = t.field(field);
    if (!f) throw new Error(`AirtableEmulator: no field "${field}"`);
    t.restrictedFields.add(f.id);
  }

  /** Records used and allowed in a base. */
  usage(baseId: string): { records: number; limit: number } {
    const b = this.base(baseId);
    return { records: b.recordCount, limit: b.recordLimit };
  }

  setRecordLimit(baseId: string, limit: number): void {
    this.base(baseId).recordLimit = limit;
  }

  addToken(token: string, grant: TokenGrant = {}): void {
    if (!this.tokens) throw new Error('AirtableEmulator: construct with `tokens` to manage tokens');
    this.tokens.set(token, grant);
  }

  revokeToken(token: string): void {
    this.tokens?.delete(token);
  }

  // ---------------------------------------------------------------------------
  // staff

  /** Adds a record as staff would type it (values checked, new select choices added). Returns its id. */
  addRecord(baseId: string, table: string, fields: Json): string {
    const base = this.base(baseId);
    const t = this.table(baseId, table);
    if (base.recordCount >= base.recordLimit) throw errors.recordLimitExceeded(base.recordLimit);
    const record: RecordModel = { id: newId('rec'), createdTime: new Date(this.now()).toISOString(), cells: new Map() };
    this.typeCells(t, record, fields);
    t.records.set(record.id, record);
    return record.id;
  }

  /** Edits cells of a record as staff would (null or "" clears). */
  editRecord(baseId: string, table: string, recordId: string, fields: Json): void {
    const t = this.table(baseId, table);
    const record = t.records.get(recordId);
    if (!record) throw new Error(`AirtableEmulator: no record ${recordId}`);
    this.typeCells(t, record, fields);
  }

  deleteRecord(baseId: string, table: string, recordId: string): void {
    if (!this.table(baseId, table).records.delete(recordId)) throw new Error(`AirtableEmulator: no record ${recordId}`);
  }

  /**
   * Sorts the table's records by a field. Harmless for a client that addresses records by
   * id; it changes the order in which records are listed.
   */
  sortRecords(baseId: string, table: string, field: string, descending = false): void {
    const t = this.table(baseId, table);
    const f = t.field(field);
    if (!f) throw new Error(`AirtableEmulator: no field "${field}"`);
    const sorted = [...t.records.values()].sort((a, b) => {
      const c = compareCells(a.cells.get(f.id), b.cells.get(f.id));
      return descending ? -c : c;
    });
    t.records.clear();
    for (const r of sorted) t.records.set(r.id, r);
  }

  /** The table's records, cells by field name, in list order. */
  records(baseId: string, table: string): StaffRecord[] {
    const t = this.table(baseId, table);
    return [...t.records.values()].map((r) => recordJson(t, r) as unknown as StaffRecord);
  }

  record(baseId: string, table: string, recordId: string): StaffRecord | undefined {
    const t = this.table(baseId, table);
    const r = t.records.get(recordId);
    return r ? (recordJson(t, r) as unknown as StaffRecord) : undefined;
  }

  private typeCells(table: TableModel, record: RecordModel, fields: Json): void {
    const planned: [string, CellValue | undefined][] = Object.entries(fields).map(([name, value]) => {
      const f = table.field(name);
      if (!f) throw new Error(`AirtableEmulator: no field "${name}" in ${table.name}`);
      return [f.id, normalizeCell(f, value, true)];
    });
    for (const [id, v] of planned) {
      if (v === undefined) record.cells.delete(id);
      else record.cells.set(id, v);
    }
  }

  /** Makes every open list offset of a base (or of all bases) fail with LIST_RECORDS_ITERATOR_NOT_AVAILABLE. */
  expireIterators(baseId?: string): void {
    for (const [id, store] of this.iterators) if (baseId === undefined || id === baseId) store.invalidate();
  }

  // ---------------------------------------------------------------------------
  // hooks

  /**
   * Runs `handler` just before a write is applied: after auth, rate limit and access checks,
   * before the body is checked against the table. Once by default. Returns a remover.
   */
  onBeforeWrite(handler: WriteHook, options: WriteHookOptions = {}): () => void {
    const entry = { handler, options: { ...options, once: options.once ?? true } };
    this.hooks.push(entry);
    return () => {
      const i = this.hooks.indexOf(entry);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /**
   * The staff member acts between the service's next read and its next write: once a record
   * read (list or get) of the base (or table) has been answered, `action` runs before the next
   * record write to that base (or table) is applied. Once.
   */
  betweenReadAndWrite(action: WriteHook, options: BetweenReadAndWriteOptions = {}): void {
    this.betweenHooks.push({ action, options, readSeen: false });
  }

  // ---------------------------------------------------------------------------
  // rate limits, clock, faults

  setRateLimit(options: RateLimitOptions | false): void {
    this.limiter = options === false ? undefined : new RateLimiter(options);
  }

  resetRateLimit(): void {
    this.limiter?.reset();
  }

  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  now(): number {
    return this.clockFn() + this.clockOffset;
  }

  /**
   * The next `n` matching requests fail with `action`: an HTTP status (500, 502, 503, 429, ...),
   * 'drop' (socket destroyed, no answer) or 'slow' (answered after `delayMs`).
   */
  failNext(n: number, action: number | 'drop' | 'slow' = 503, options: FailNextOptions = {}): void {
    this.faultInjector.failNext(n, action, options);
  }

  /** Random faults from now on (seeded, reproducible); `faults(null)` turns them off. */
  faults(options: RandomFaultOptions | null): void {
    this.faultInjector.setRandom(options);
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  // ---------------------------------------------------------------------------
  // call log

  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Counts over `calls` (every attempt, failed ones included). */
  get stats(): {
    total: number;
    reads: number;
    writes: number;
    metaReads: number;
    metaWrites: number;
    failed: number;
    /** Every 429 answer, injected faults included. */
    rateLimited: number;
    /** 429 answers of the rate limiter alone (a steady-state cycle should see none). */
    limiterRefusals: number;
    byApi: Partial<Record<ApiName, number>>;
  } {
    const byApi: Partial<Record<ApiName, number>> = {};
    const s = {
      total: this.calls.length,
      reads: 0,
      writes: 0,
      metaReads: 0,
      metaWrites: 0,
      failed: 0,
      rateLimited: 0,
      limiterRefusals: 0,
    };
    for (const c of this.calls) {
      byApi[c.api] = (byApi[c.api] ?? 0) + 1;
      if (c.kind === 'read') s.reads++;
      if (c.kind === 'write') s.writes++;
      if (c.kind === 'meta-read') s.metaReads++;
      if (c.kind === 'meta-write') s.metaWrites++;
      if (c.status === 0 || c.status >= 400) s.failed++;
      if (c.status === 429) s.rateLimited++;
      if (c.fault === 'rateLimit') s.limiterRefusals++;
    }
    return { ...s, byApi };
  }

  // ---------------------------------------------------------------------------
  // HTTP

  private route(method: string, pathname: string): Route {
    const unknown: Route = { api: 'unknown' };
    let segs: string[];
    try {
      segs = pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      return unknown;
    }
    if (segs[0] !== 'v0') return unknown;
    if (segs[1] === 'meta') {
      if (segs[2] === 'whoami' && segs.length === 3 && method === 'GET') return { api: 'meta.whoami' };
      if (segs[2] !== 'bases') return unknown;
      if (segs.length === 3 && method === 'GET') return { api: 'meta.listBases' };
      const baseId = segs[3];
      if (segs[4] !== 'tables' || baseId === undefined) return unknown;
      if (segs.length === 5) {
        if (method === 'GET') return { api: 'meta.listTables', baseId };
        if (method === 'POST') return { api: 'meta.createTable', baseId };
        return unknown;
      }
      const table = segs[5]!;
      if (segs[6] !== 'fields') return unknown;
      if (segs.length === 7 && method === 'POST') return { api: 'meta.createField', baseId, table };
      if (segs.length === 8 && method === 'PATCH') return { api: 'meta.updateField', baseId, table, fieldId: segs[7]! };
      return unknown;
    }
    const baseId = segs[1];
    const table = segs[2];
    if (baseId === undefined || table === undefined) return unknown;
    if (segs.length === 3) {
      const api: Partial<Record<string, ApiName>> = {
        GET: 'records.list',
        POST: 'records.create',
        PATCH: 'records.update',
        PUT: 'records.replace',
        DELETE: 'records.delete',
      };
      return api[method] ? { api: api[method], baseId, table } : unknown;
    }
    if (segs.length === 4) {
      if (segs[3] === 'listRecords' && method === 'POST') return { api: 'records.listPost', baseId, table };
      const recordId = segs[3]!;
      const api: Partial<Record<string, ApiName>> = {
        GET: 'records.get',
        PATCH: 'records.update',
        PUT: 'records.replace',
        DELETE: 'records.delete',
      };
      return api[method] ? { api: api[method], baseId, table, recordId } : unknown;
    }
    return unknown;
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
      kind: API_KIND[route.api],
      records: 0,
      bytesIn: raw.length,
      bytesOut: 0,
      status: 0,
      durationMs: 0,
    };
    if (route.baseId !== undefined) call.baseId = route.baseId;
    if (route.table !== undefined) call.table = route.table;
    this.calls.push(call);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const json = JSON.stringify(body);
      call.status = status;
      call.bytesOut = Buffer.byteLength(json);
      call.durationMs = performance.now() - started;
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': call.bytesOut,
        ...headers,
      });
      res.end(json);
    };
    try {
      if (route.api === 'unknown') {
        // Airtable answers unknown routes with a bare string error.
        call.errorType = 'NOT_FOUND';
        send(404, { error: 'NOT_FOUND' });
        return;
      }
      const token = this.authenticate(req.headers.authorization);
      call.token = token;
      const fault = this.faultInjector.pick(call.kind, route.baseId);
      if (fault?.action === 'slow') call.fault = 'slow';
      if (fault && fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault && !fault.afterApply && fault.action !== 'slow') {
        call.fault = fault.label;
        if (fault.action === 'drop') throw new DroppedConnection();
        throw fault.action === 429 ? errors.rateLimited(fault.retryAfterSeconds) : errors.server(fault.action);
      }
      if (this.limiter && route.api !== 'meta.whoami') {
        const verdict = this.limiter.admit(this.now(), route.baseId, token);
        if (!verdict.ok) {
          call.fault = 'rateLimit';
          throw errors.rateLimited(this.limiter.options.retryAfterSeconds);
        }
      }
      const grant = this.grantOf(token);
      const base = route.baseId === undefined ? undefined : this.bases.get(route.baseId);
      if (route.baseId !== undefined && (!base || !this.mayUse(grant, route.baseId))) {
        throw errors.invalidPermissionsOrModelNotFound();
      }
      const scope = API_SCOPE[route.api];
      if (scope && !(grant.scopes ?? ALL_SCOPES).includes(scope)) throw errors.missingScope(scope);
      const body = this.parseBody(raw, method);
      if (this.recordBodies) call.body = body;
      const result = await this.dispatch(route, base, body, url.searchParams, call, token);
      if (fault?.afterApply && fault.action !== 'slow') {
        call.fault = fault.label;
        if (fault.action === 'drop') throw new DroppedConnection();
        throw fault.action === 429
          ? errors.rateLimited(fault.retryAfterSeconds)
          : errors.server(fault.action as number);
      }
      send(200, result);
      if (call.kind === 'read') this.noteRead(route);
    } catch (e) {
      if (e instanceof DroppedConnection) {
        call.status = 0;
        call.durationMs = performance.now() - started;
        req.socket.destroy();
        return;
      }
      const err =
        e instanceof AirtableApiError
          ? e
          : new AirtableApiError(
              500,
              'SERVER_ERROR',
              `Airtable emulator bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
            );
      call.errorType = err.type;
      send(err.status, { error: { type: err.type, message: err.message } }, err.headers);
    }
  }

  private authenticate(header: string | undefined): string {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) throw errors.authenticationRequired();
    const token = m[1]!;
    if (this.tokens && !this.tokens.has(token)) throw errors.authenticationRequired();
    return token;
  }

  private grantOf(token: string): TokenGrant {
    return this.tokens?.get(token) ?? {};
  }

  private mayUse(grant: TokenGrant, baseId: string): boolean {
    const bases = grant.bases ?? '*';
    return bases === '*' || bases.includes(baseId);
  }

  private parseBody(raw: Buffer, method: string): Json {
    if (method === 'GET' || method === 'DELETE') return {};
    const text = raw.toString('utf8');
    if (text.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AirtableApiError(400, 'INVALID_REQUEST_BODY', 'Could not parse request body');
    }
    if (!isObject(parsed)) throw new AirtableApiError(400, 'INVALID_REQUEST_BODY', 'Could not parse request body');
    return parsed;
  }

  private resolveTable(base: BaseModel, ref: string): TableModel {
    const t = base.table(ref);
    if (t) return t;
    throw this.unknownTable === 'notFound'
      ? errors.tableNotFound(ref, base.id)
      : errors.invalidPermissionsOrModelNotFound();
  }

  private noteRead(route: Route): void {
    for (const h of this.betweenHooks) if (this.matches(h.options, route)) h.readSeen = true;
  }

  /** Whether a request (its base, and the table it names) is one a hook is about. */
  private matches(options: { baseId?: string; table?: string }, route: Route): boolean {
    if (options.baseId !== undefined && options.baseId !== route.baseId) return false;
    if (options.table === undefined) return true;
    const t =
      route.baseId === undefined || route.table === undefined
        ? undefined
        : this.bases.get(route.baseId)?.table(route.table);
    return t !== undefined && (t.id === options.table || t.name === options.table);
  }

  private async runWriteHooks(route: Route, call: CallRecord, body: unknown): Promise<void> {
    const ctx: WriteHookContext = { api: route.api, baseId: route.baseId!, call, body, staff: this };
    if (call.kind === 'write') {
      for (const h of [...this.betweenHooks]) {
        if (!h.readSeen || !this.matches(h.options, route)) continue;
        this.betweenHooks.splice(this.betweenHooks.indexOf(h), 1);
        await h.action(ctx);
      }
    }
    for (const entry of [...this.hooks]) {
      const o = entry.options;
      if (!(o.kinds ?? ['write']).includes(call.kind as 'write' | 'meta-write')) continue;
      if (!this.matches(o, route)) continue;
      if (o.once) {
        const i = this.hooks.indexOf(entry);
        if (i < 0) continue;
        this.hooks.splice(i, 1);
      }
      await entry.handler(ctx);
    }
  }

  private deleteIds(route: Route, q: URLSearchParams): string[] {
    return route.recordId !== undefined ? [route.recordId] : [...q.getAll('records[]'), ...q.getAll('records')];
  }

  /** Records a write request carries. */
  private writeCount(route: Route, body: Json, q: URLSearchParams): number {
    if (route.api === 'records.delete') return this.deleteIds(route, q).length;
    if (route.recordId !== undefined) return 1;
    if (Array.isArray(body.records)) return body.records.length;
    return route.api === 'records.create' && body.fields !== undefined ? 1 : 0;
  }

  private async dispatch(
    route: Route,
    base: BaseModel | undefined,
    body: Json,
    q: URLSearchParams,
    call: CallRecord,
    token: string,
  ): Promise<unknown> {
    if (route.api === 'meta.whoami') return { id: this.grantOf(token).userId ?? 'usrEmulatorUser01' };
    if (route.api === 'meta.listBases') {
      const grant = this.grantOf(token);
      return {
        bases: [...this.bases.values()]
          .filter((b) => this.mayUse(grant, b.id))
          .map((b) => ({ id: b.id, name: b.name, permissionLevel: 'create' })),
      };
    }
    if (!base) throw errors.invalidPermissionsOrModelNotFound();
    if (call.kind === 'write') call.records = this.writeCount(route, body, q);
    if (call.kind === 'write' || call.kind === 'meta-write') await this.runWriteHooks(route, call, body);
    const now = this.now();
    switch (route.api) {
      case 'meta.listTables':
        return listTables(base);
      case 'meta.createTable': {
        const out = createTable(base, body);
        call.applied = true;
        return out;
      }
      case 'meta.createField': {
        const out = createField(base, route.table!, body);
        call.applied = true;
        return out;
      }
      case 'meta.updateField': {
        const out = updateField(base, route.table!, route.fieldId!, body);
        call.applied = true;
        return out;
      }
      default:
        break;
    }
    const table = this.resolveTable(base, route.table!);
    call.tableId = table.id;
    const iterators = this.iterators.get(base.id)!;
    switch (route.api) {
      case 'records.list':
      case 'records.listPost': {
        const params = route.api === 'records.list' ? listParamsFromQuery(q) : listParamsFromBody(body);
        const out = listRecords(table, params, iterators, now);
        call.records = out.count;
        return out.body;
      }
      case 'records.get': {
        const out = getRecord(table, route.recordId!, q);
        call.records = 1;
        return out;
      }
      case 'records.create': {
        const out = createRecords(base, table, body, now);
        call.applied = true;
        return out.body;
      }
      case 'records.update':
      case 'records.replace': {
        const out = updateRecords(table, body, route.api === 'records.replace', route.recordId);
        call.applied = true;
        return out.body;
      }
      case 'records.delete': {
        const ids =
          route.recordId !== undefined ? [route.recordId] : [...q.getAll('records[]'), ...q.getAll('records')];
        call.records = ids.length;
        const out = deleteRecords(table, ids, route.recordId !== undefined);
        call.applied = true;
        return out.body;
      }
      default:
        throw new Error(`unrouted ${route.api}`);
    }
  }
}
