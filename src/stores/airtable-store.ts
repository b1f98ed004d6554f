import type { CellValue, SheetRow, SheetTable } from '../core/cells.ts';
import { RESTRICTED_TAB, SUMMARY_TABS, TABS, TRACKER_TABS, type TabContract } from '../core/contract.ts';
import { ISSUE_HEADERS, issueRow } from '../core/issues-tab.ts';
import type { WorkbookLayout } from '../core/layout.ts';
import type {
  LayoutReport,
  RestrictedStore,
  StoreCapacity,
  TrackerSnapshot,
  TrackerStore,
  WritePlan,
  WriteResult,
} from '../core/ports.ts';
import type { CellWrite } from '../core/system-cells.ts';
import {
  type PackedRecord,
  batchKey,
  inLogOrder,
  packedRecord,
  planAppend,
  unpackLines,
} from './airtable/activity-log.ts';
import { airtableBaseUrl, airtableRecordUrl } from './airtable/base-url.ts';
import { AirtableLease } from './airtable/lease.ts';
import { MANUAL_CHECKLIST, type MetaTable, ensureBaseLayout, listTables } from './airtable/provision.ts';
import {
  ACTIVITY_FIELDS,
  SUMMARY_COLUMNS,
  SUMMARY_LINE_FIELD,
  baseTables,
  toCellValue,
  toFieldValue,
} from './airtable/tables.ts';
import { AirtableApiError, type AirtableTransport } from './airtable/transport.ts';
import { type GridValue, assertSystemColumn, contractProblems } from './table.ts';

/** Airtable takes at most 10 records in one create, update or delete. */
export const AIRTABLE_BATCH = 10;
/** Airtable answers at most 100 records a page. */
export const AIRTABLE_PAGE = 100;

export interface AirtableRecord {
  readonly id: string;
  readonly fields: Record<string, unknown>;
}

interface ListAnswer {
  readonly records?: AirtableRecord[];
  readonly offset?: string;
}

/** How many times a listing starts over when Airtable lets its page iterator expire in between. */
const LIST_RESTARTS = 3;

/**
 * Every record of a table, 100 a page, with only the named fields. If Airtable forgets the listing's
 * offset between pages (LIST_RECORDS_ITERATOR_NOT_AVAILABLE), the listing starts over.
 */
export async function listAll(
  transport: AirtableTransport,
  table: MetaTable,
  fields: readonly string[],
): Promise<AirtableRecord[]> {
  for (let restart = 0; ; restart += 1) {
    try {
      const records: AirtableRecord[] = [];
      let offset: string | undefined;
      do {
        const page = await transport.records<ListAnswer>(`list "${table.name}"`, 'read', {
          path: `/${encodeURIComponent(table.id)}`,
          qs: { pageSize: AIRTABLE_PAGE, fields: [...fields], ...(offset ? { offset } : {}) },
        });
        records.push(...(page.records ?? []));
        offset = page.offset;
      } while (offset);
      return records;
    } catch (error) {
      const expired = error instanceof AirtableApiError && error.type === 'LIST_RECORDS_ITERATOR_NOT_AVAILABLE';
      if (!expired || restart + 1 >= LIST_RESTARTS) throw error;
    }
  }
}

/** Splits into Airtable's batches of 10. */
function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += AIRTABLE_BATCH) out.push(items.slice(i, i + AIRTABLE_BATCH));
  return out;
}

/** A record that is gone: Airtable answers 422 ROW_DOES_NOT_EXIST (or 404 naming the record). INVALID_RECORDS is a malformed batch: a bug, never taken for this. */
function recordGone(error: unknown): boolean {
  if (!(error instanceof AirtableApiError)) return false;
  return (
    error.type === 'ROW_DOES_NOT_EXIST' ||
    error.type === 'MODEL_ID_NOT_FOUND' ||
    (error.status === 404 && /rec[A-Za-z0-9]{14}|record/i.test(error.detail))
  );
}

/** A rewritten-whole table's lines (Issues, summaries): a record per line, in order, with its cells. */
type Lines = readonly { readonly id: string; readonly cells: readonly GridValue[] }[];

const cellKey = (v: GridValue | undefined): string => (v === null || v === undefined || v === '' ? '' : String(v));
function sameLine(a: readonly GridValue[], b: readonly GridValue[]): boolean {
  const width = Math.max(a.length, b.length);
  for (let i = 0; i < width; i += 1) if (cellKey(a[i]) !== cellKey(b[i])) return false;
  return true;
}

/** What one line of a rewritten table is as fields, and back. */
interface LineCodec {
  readonly fields: readonly string[];
  toFields(cells: readonly GridValue[], index: number): Record<string, unknown>;
  fromRecords(records: readonly AirtableRecord[]): Lines;
}

const issuesCodec: LineCodec = {
  fields: ISSUE_HEADERS,
  toFields: (cells) =>
    Object.fromEntries(
      ISSUE_HEADERS.map((h, i) => {
        const v = cells[i];
        if (v === null || v === undefined || v === '') return [h, null];
        return [h, h === 'Row' ? Number(v) : String(v)];
      }),
    ),
  fromRecords: (records) =>
    records.map((r) => ({
      id: r.id,
      cells: ISSUE_HEADERS.map((h) => {
        const v = toCellValue(r.fields[h]);
        return typeof v === 'number' || typeof v === 'string' ? v : null;
      }),
    })),
};

const summaryCodec: LineCodec = {
  fields: [SUMMARY_LINE_FIELD, ...SUMMARY_COLUMNS],
  toFields: (cells, index) => {
    if (cells.length > SUMMARY_COLUMNS.length) {
      throw new Error(
        `A summary line has ${cells.length} columns; the Airtable summary tables hold ${SUMMARY_COLUMNS.length}`,
      );
    }
    return {
      [SUMMARY_LINE_FIELD]: index + 1,
      ...Object.fromEntries(SUMMARY_COLUMNS.map((c, i) => [c, cellKey(cells[i]) === '' ? null : String(cells[i])])),
    };
  },
  fromRecords: (records) =>
    [...records]
      .sort((a, b) => Number(a.fields[SUMMARY_LINE_FIELD] ?? 0) - Number(b.fields[SUMMARY_LINE_FIELD] ?? 0))
      .map((r) => ({
        id: r.id,
        cells: SUMMARY_COLUMNS.map((c) => (r.fields[c] === undefined ? null : String(r.fields[c]))),
      })),
};

const codecOf = (table: string): LineCodec => (table === TABS.issues ? issuesCodec : summaryCodec);

/** An ID-keyed table as last seen: the records of each ID (two when staff duplicated one). */
interface KeyedState {
  readonly recordsById: ReadonlyMap<string, readonly string[]>;
}

export interface AirtableStoreOptions {
  readonly baseId: string;
  readonly transport: AirtableTransport;
  /** The base's record limit under its plan, for the capacity warnings. */
  readonly recordLimit?: number;
  /** How long a lease waits for concurrent takers before reading back who won. */
  readonly leaseSettleMs?: number;
  /** How long the table listing (IDs and fields) is trusted before it is listed again. */
  readonly listingMaxAgeMs?: number;
}

const NOTHING_WRITTEN: WriteResult = {
  cellsWritten: 0,
  rowsAppended: 0,
  missingIds: [],
  retriedAfterConcurrentEdit: 0,
};

/** The tables a cycle reads, whole: the contract's tabs and the summaries. */
const READ_TABLES = [...TRACKER_TABS.map((t) => t.name), ...SUMMARY_TABS] as string[];

const rewrittenWhole = (name: string): boolean =>
  name === TABS.issues || (SUMMARY_TABS as readonly string[]).includes(name);

/**
 * The tracker as an Airtable base. Records, not rows: a write addresses the record IDs its read saw,
 * so staff sorting or filtering cannot misplace a value. A read lists each table once, 100 records a
 * page with only the contract's fields; a write sends only changed system fields, 10 records a PATCH.
 */
export class AirtableTrackerStore implements TrackerStore {
  readonly kind = 'airtable';
  readonly manualSteps = MANUAL_CHECKLIST;
  readonly baseId: string;
  readonly lease: AirtableLease;
  private readonly transport: AirtableTransport;
  private readonly recordLimit: number;
  private readonly listingMaxAgeMs: number;
  private tables: Map<string, MetaTable> | undefined;
  private listedAt = 0;
  private keyed = new Map<string, KeyedState>();
  private lines = new Map<string, Lines>();
  private lastActivity: PackedRecord | null | undefined;

  constructor(options: AirtableStoreOptions) {
    this.baseId = options.baseId;
    this.transport = options.transport;
    this.recordLimit = options.recordLimit ?? 50_000;
    this.listingMaxAgeMs = options.listingMaxAgeMs ?? 3_600_000;
    this.lease = new AirtableLease({
      transport: this.transport,
      ...(options.leaseSettleMs === undefined ? {} : { settleMs: options.leaseSettleMs }),
    });
  }

  describe(): string {
    return airtableBaseUrl(this.baseId);
  }

  rowLink(tab: string, id: string, _rowNumber: number): string {
    const table = this.tables?.get(tab);
    if (!table) return this.describe();
    const record = this.keyed.get(tab)?.recordsById.get(id)?.[0];
    return record ? airtableRecordUrl(this.baseId, table.id, record) : `${this.describe()}/${table.id}`;
  }

  /** The base's tables and fields, listed again once the last listing is older than listingMaxAgeMs. */
  private async loadTables(force = false): Promise<Map<string, MetaTable>> {
    if (this.tables && !force && Date.now() - this.listedAt < this.listingMaxAgeMs) return this.tables;
    this.tables = new Map((await listTables(this.transport)).map((t) => [t.name, t]));
    this.listedAt = Date.now();
    return this.tables;
  }

  async read(): Promise<TrackerSnapshot> {
    try {
      return await this.readOnce(await this.loadTables());
    } catch (error) {
      // The remembered listing is stale (a table or field renamed or deleted): list again, once.
      const stale =
        error instanceof AirtableApiError &&
        (error.type === 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND' || [403, 404, 422].includes(error.status ?? 0));
      if (!stale) throw error;
      return this.readOnce(await this.loadTables(true));
    }
  }

  private async readOnce(tables: ReadonlyMap<string, MetaTable>): Promise<TrackerSnapshot> {
    const problems: string[] = [];
    for (const name of READ_TABLES) {
      if (!tables.has(name)) problems.push(`The base has no "${name}" table: run \`bucp init\` to add it`);
    }
    let records = 0;
    const keyedTables = new Map<string, SheetTable>();
    for (const tab of TRACKER_TABS.filter((t) => t.idColumn)) {
      const table = tables.get(tab.name);
      if (!table) {
        keyedTables.set(tab.name, { headers: [], rows: [] });
        continue;
      }
      const present = new Set(table.fields.map((f) => f.name));
      const headers = tab.columns.map((c) => c.header).filter((h) => present.has(h));
      problems.push(
        ...contractProblems(tab, new Set(headers)).map((p) =>
          p.replace('tab lacks the column(s)', 'table lacks the field(s)'),
        ),
      );
      const listed = await listAll(this.transport, table, headers);
      records += listed.length;
      keyedTables.set(tab.name, this.keyedTable(tab, headers, listed));
    }
    const activity = await this.readActivity(tables);
    records += activity.records;
    for (const name of READ_TABLES.filter(rewrittenWhole)) {
      const table = tables.get(name);
      if (!table) continue;
      const listed = await listAll(
        this.transport,
        table,
        codecOf(name).fields.filter((f) => table.fields.some((x) => x.name === f)),
      );
      records += listed.length;
      this.lines.set(name, codecOf(name).fromRecords(listed));
    }
    const issuesTable = tables.get(TABS.issues);
    if (issuesTable) {
      const present = new Set(issuesTable.fields.map((f) => f.name));
      const issuesContract = TRACKER_TABS.find((t) => t.name === TABS.issues)!;
      problems.push(
        ...contractProblems(issuesContract, present).map((p) =>
          p.replace('tab lacks the column(s)', 'table lacks the field(s)'),
        ),
      );
    }
    return {
      proposals: keyedTables.get(TABS.proposals)!,
      disputes: keyedTables.get(TABS.disputes)!,
      activity: activity.table,
      layoutProblems: problems,
      capacity: this.capacity(records),
    };
  }

  /** A keyed table's records as rows (row numbers in listing order), remembering each ID's records for the writes. */
  private keyedTable(tab: TabContract, headers: readonly string[], listed: readonly AirtableRecord[]): SheetTable {
    const recordsById = new Map<string, string[]>();
    const template = Object.fromEntries(headers.map((h) => [h, null])) as Record<string, CellValue>;
    const rows: SheetRow[] = [];
    for (const record of listed) {
      const cells: Record<string, CellValue> = { ...template };
      let any = false;
      for (const h of headers) {
        const value = toCellValue(record.fields[h]);
        cells[h] = value;
        if (value !== null) any = true;
      }
      if (!any) continue;
      rows.push({ rowNumber: rows.length + 2, cells });
      const id = String(record.fields[tab.idColumn!] ?? '').trim();
      if (id !== '') recordsById.set(id, [...(recordsById.get(id) ?? []), record.id]);
    }
    this.keyed.set(tab.name, { recordsById });
    return { headers, rows };
  }

  private async readActivity(tables: ReadonlyMap<string, MetaTable>): Promise<{ table: SheetTable; records: number }> {
    const table = tables.get(TABS.activity);
    const headers = TRACKER_TABS.find((t) => t.name === TABS.activity)!.columns.map((c) => c.header);
    if (!table) {
      this.lastActivity = null;
      return { table: { headers, rows: [] }, records: 0 };
    }
    const listed = await listAll(this.transport, table, [ACTIVITY_FIELDS.key, ACTIVITY_FIELDS.lines]);
    const packed = inLogOrder(listed.map(packedRecord).filter((r): r is PackedRecord => r !== null));
    this.lastActivity = packed.at(-1) ?? null;
    return { table: { headers, rows: unpackLines(packed) }, records: listed.length };
  }

  /** How many of the base's records are used: every table the read listed, and the lease record. */
  private capacity(records: number): StoreCapacity {
    return {
      used: records + 1,
      limit: this.recordLimit,
      limitName: `Airtable's limit of ${this.recordLimit.toLocaleString('en-US')} records per base (store.recordLimit, set by the plan)`,
    };
  }

  private async table(name: string): Promise<MetaTable> {
    const table = (await this.loadTables()).get(name) ?? (await this.loadTables(true)).get(name);
    if (!table) throw new Error(`The base ${this.describe()} has no "${name}" table: run \`bucp init\` to add it`);
    return table;
  }

  /**
   * Appends the Activity Log first (it is the record of what was sent), then PATCHes the changed system
   * fields of each record by its ID, then rewrites the Issues and summary tables where they changed.
   */
  async write(plan: WritePlan): Promise<WriteResult> {
    for (const write of plan.cells) {
      for (const header of Object.keys(write.values)) assertSystemColumn(write.tab, header);
    }
    const rewrites = await this.changedLines(plan);
    if (plan.cells.length === 0 && plan.appendActivity.length === 0 && rewrites.length === 0) return NOTHING_WRITTEN;
    await this.appendActivity(plan);
    const missingIds: string[] = [];
    let cellsWritten = 0;
    for (const tab of [...new Set(plan.cells.map((c) => c.tab))]) {
      const result = await this.writeCells(
        tab,
        plan.cells.filter((c) => c.tab === tab),
      );
      missingIds.push(...result.missing);
      cellsWritten += result.cells;
    }
    for (const rewrite of rewrites) await this.rewriteLines(rewrite.table, rewrite.grid);
    return { cellsWritten, rowsAppended: plan.appendActivity.length, missingIds, retriedAfterConcurrentEdit: 0 };
  }

  private async appendActivity(plan: WritePlan): Promise<void> {
    if (plan.appendActivity.length === 0) return;
    const table = await this.table(TABS.activity);
    if (this.lastActivity === undefined) await this.readActivity(await this.loadTables());
    const append = planAppend(this.lastActivity ?? undefined, plan.appendActivity);
    const fields = (r: { day: string; part: number; text: string }) => ({
      [ACTIVITY_FIELDS.key]: batchKey(r.day, r.part),
      [ACTIVITY_FIELDS.day]: r.day,
      [ACTIVITY_FIELDS.lines]: r.text,
      [ACTIVITY_FIELDS.count]: r.text.split('\n').length,
    });
    if (append.update) {
      const { id, ...rest } = append.update;
      try {
        // The whole text again: a retried PATCH writes the same value, so it cannot apply twice.
        await this.transport.records('append to the Activity Log', 'write', {
          method: 'PATCH',
          path: `/${table.id}`,
          body: { records: [{ id, fields: fields(rest) }] },
        });
        this.lastActivity = { id, day: rest.day, part: rest.part, text: rest.text };
      } catch (error) {
        if (!recordGone(error)) throw error;
        // Someone deleted the day's record since the read: its lines and the new ones go into a new one.
        const answer = await this.transport.records<ListAnswer>('append to the Activity Log', 'write', {
          method: 'POST',
          path: `/${table.id}`,
          body: { records: [{ fields: fields(rest) }] },
        });
        this.lastActivity = { id: answer.records?.[0]?.id ?? '', ...rest };
      }
    }
    for (const chunk of batches(append.creates)) {
      // A create retried after a lost answer may land twice: its lines repeat with the same time and
      // key right after the first copy, and the log reader skips them.
      const answer = await this.transport.records<ListAnswer>('append to the Activity Log', 'write', {
        method: 'POST',
        path: `/${table.id}`,
        body: { records: chunk.map((r) => ({ fields: fields(r) })) },
      });
      const last = chunk.at(-1)!;
      const id = answer.records?.at(-1)?.id ?? '';
      this.lastActivity = { id, day: last.day, part: last.part, text: last.text };
    }
  }

  /** The record IDs of a keyed table's IDs, listed afresh: only the ID field crosses the network. */
  private async refreshIds(tab: TabContract): Promise<void> {
    const table = await this.table(tab.name);
    const listed = await listAll(this.transport, table, [tab.idColumn!]);
    const recordsById = new Map<string, string[]>();
    for (const record of listed) {
      const id = String(record.fields[tab.idColumn!] ?? '').trim();
      if (id !== '') recordsById.set(id, [...(recordsById.get(id) ?? []), record.id]);
    }
    this.keyed.set(tab.name, { recordsById });
  }

  /**
   * PATCHes the system fields of a keyed table, 10 records a call, addressed by the record IDs of each
   * BUCP or Dispute ID. An ID the store has not seen makes it list the IDs again; a record staff
   * deleted since is reported missing, and the rest of its batch is sent again without it.
   */
  private async writeCells(
    tabName: string,
    writes: readonly CellWrite[],
  ): Promise<{ missing: string[]; cells: number }> {
    const tab = TRACKER_TABS.find((t) => t.name === tabName && t.idColumn);
    if (!tab) throw new Error(`Cannot write cells by ID on "${tabName}"`);
    const table = await this.table(tabName);
    if (!this.keyed.has(tabName) || writes.some((w) => !this.keyed.get(tabName)!.recordsById.has(w.id))) {
      await this.refreshIds(tab);
    }
    const missing = new Set<string>();
    let pending = this.updates(tabName, writes, missing);
    let cells = 0;
    for (let round = 0; pending.length > 0 && round < 3; round += 1) {
      const failed: typeof pending = [];
      for (const chunk of batches(pending)) {
        try {
          await this.transport.records(`update "${tabName}"`, 'write', {
            method: 'PATCH',
            path: `/${table.id}`,
            body: { records: chunk.map(({ id, fields }) => ({ id, fields })) },
          });
          cells += chunk.reduce((n, u) => n + Object.keys(u.fields).length, 0);
        } catch (error) {
          if (!recordGone(error)) throw error;
          failed.push(...chunk);
        }
      }
      if (failed.length === 0) break;
      // A record in those batches is gone: list the IDs again and send the rest once more.
      await this.refreshIds(tab);
      const failedIds = new Set(failed.flatMap((u) => u.bucpIds));
      const before = missing.size;
      pending = this.updates(
        tabName,
        writes.filter((w) => failedIds.has(w.id)),
        missing,
      );
      if (missing.size === before && pending.length === failed.length)
        throw new Error(`Airtable kept refusing an update of "${tabName}"`);
    }
    return { missing: [...missing], cells };
  }

  /** One update per record: the fields of every write to its ID (two records when staff duplicated the ID). */
  private updates(
    tabName: string,
    writes: readonly CellWrite[],
    missing: Set<string>,
  ): { id: string; fields: Record<string, unknown>; bucpIds: string[] }[] {
    const byRecord = new Map<string, { id: string; fields: Record<string, unknown>; bucpIds: string[] }>();
    const known = this.keyed.get(tabName)!.recordsById;
    for (const write of writes) {
      const records = known.get(write.id);
      if (!records || records.length === 0) {
        missing.add(write.id);
        continue;
      }
      for (const id of records) {
        const update = byRecord.get(id) ?? { id, fields: {}, bucpIds: [] };
        for (const [header, value] of Object.entries(write.values)) update.fields[header] = toFieldValue(value);
        update.bucpIds.push(write.id);
        byRecord.set(id, update);
      }
    }
    return [...byRecord.values()];
  }

  /** The Issues and summary tables whose wanted lines differ from what they hold (listed first if never read). */
  private async changedLines(plan: WritePlan): Promise<{ table: string; grid: GridValue[][] }[]> {
    const wanted: { table: string; grid: GridValue[][] }[] = [];
    if (plan.issues) wanted.push({ table: TABS.issues, grid: plan.issues.map(issueRow) });
    for (const s of plan.summaries ?? []) wanted.push({ table: s.tab, grid: s.rows.map((r) => [...r]) });
    const changed: { table: string; grid: GridValue[][] }[] = [];
    for (const w of wanted) {
      if (!this.lines.has(w.table)) {
        const table = await this.table(w.table);
        const codec = codecOf(w.table);
        this.lines.set(w.table, codec.fromRecords(await listAll(this.transport, table, codec.fields)));
      }
      const have = this.lines.get(w.table)!;
      const same = have.length === w.grid.length && have.every((line, i) => sameLine(line.cells, w.grid[i]!));
      if (!same) changed.push(w);
    }
    return changed;
  }

  /** Rewrites a table line by line: changed lines PATCHed in place, new ones created, surplus ones deleted. */
  private async rewriteLines(name: string, grid: readonly GridValue[][]): Promise<void> {
    const table = await this.table(name);
    const codec = codecOf(name);
    const have = this.lines.get(name) ?? [];
    const updates = grid
      .map((cells, i) => ({ cells, i, line: have[i] }))
      .filter(({ cells, line }) => line && !sameLine(line.cells, cells))
      .map(({ cells, i, line }) => ({ id: line!.id, fields: codec.toFields(cells, i) }));
    const creates = grid.slice(have.length).map((cells, k) => ({ fields: codec.toFields(cells, have.length + k) }));
    const deletes = have.slice(grid.length).map((l) => l.id);
    for (const chunk of batches(updates)) {
      await this.transport.records(`update "${name}"`, 'write', {
        method: 'PATCH',
        path: `/${table.id}`,
        body: { records: chunk },
      });
    }
    const createdIds: string[] = [];
    for (const chunk of batches(creates)) {
      const answer = await this.transport.records<ListAnswer>(`add to "${name}"`, 'write', {
        method: 'POST',
        path: `/${table.id}`,
        body: { records: chunk },
      });
      createdIds.push(...(answer.records ?? []).map((r) => r.id));
    }
    for (const chunk of batches(deletes)) {
      try {
        await this.transport.records(`clear "${name}"`, 'write', {
          method: 'DELETE',
          path: `/${table.id}`,
          qs: { records: chunk },
        });
      } catch (error) {
        // Already gone (a retried delete, or a person deleted it): that is what was wanted.
        if (!recordGone(error)) throw error;
      }
    }
    const kept = have.slice(0, Math.min(have.length, grid.length)).map((l, i) => ({ id: l.id, cells: grid[i]! }));
    this.lines.set(name, [...kept, ...createdIds.map((id, k) => ({ id, cells: grid[have.length + k]! }))]);
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    const listed = await this.loadTables(true);
    const report = await ensureBaseLayout(this.transport, baseTables(layout), [...listed.values()]);
    if (report.created.length > 0 || report.repaired.length > 0) await this.loadTables(true);
    return report;
  }
}

/** The restricted base. Only its BUCP ID field is ever read. */
export class AirtableRestrictedStore implements RestrictedStore {
  readonly baseId: string;
  private readonly transport: AirtableTransport;
  private table: MetaTable | undefined;

  constructor(options: { baseId: string; transport: AirtableTransport }) {
    this.baseId = options.baseId;
    this.transport = options.transport;
  }

  describe(): string {
    return airtableBaseUrl(this.baseId);
  }

  async recordIds(): Promise<ReadonlySet<string>> {
    try {
      return await this.readIds(await this.loadTable());
    } catch (error) {
      // The remembered table is gone or renamed: look again, once.
      if (!(error instanceof AirtableApiError) || this.table === undefined) throw error;
      this.table = undefined;
      return this.readIds(await this.loadTable());
    }
  }

  private async loadTable(): Promise<MetaTable> {
    if (this.table) return this.table;
    const table = (await listTables(this.transport)).find((t) => t.name === RESTRICTED_TAB.name);
    if (!table?.fields.some((f) => f.name === 'BUCP ID')) {
      throw new Error(
        `The restricted base ${this.describe()} needs a "${RESTRICTED_TAB.name}" table with a "BUCP ID" field: run \`bucp init\``,
      );
    }
    this.table = table;
    return table;
  }

  private async readIds(table: MetaTable): Promise<ReadonlySet<string>> {
    const listed = await listAll(this.transport, table, ['BUCP ID']);
    return new Set(listed.map((r) => String(r.fields['BUCP ID'] ?? '').trim()).filter((id) => id !== ''));
  }

  async ensureLayout(layout: WorkbookLayout): Promise<LayoutReport> {
    this.table = undefined;
    return ensureBaseLayout(this.transport, baseTables(layout));
  }
}
