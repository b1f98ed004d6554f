/**
 * The records endpoints: list (GET, and POST listRecords), get one, create, update
 * (PATCH merges, PUT replaces), delete. Every batch is checked whole before anything is
 * applied, as Airtable does: one bad record fails the request and changes nothing.
 */
import { compileFormula } from './formula.ts';
import { normalizeCell, renderCell, renderCellString } from './fields.ts';
import {
  errors,
  isId,
  newId,
  type BaseModel,
  type CellValue,
  type FieldModel,
  type Json,
  type RecordModel,
  type TableModel,
} from './model.ts';

export const MAX_PAGE_SIZE = 100;
export const MAX_RECORDS_PER_WRITE = 10;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ListParams {
  pageSize?: number;
  maxRecords?: number;
  offset?: string;
  fields?: string[];
  filterByFormula?: string;
  returnFieldsByFieldId?: boolean;
  cellFormat?: 'json' | 'string';
  timeZone?: string;
  userLocale?: string;
  sort?: { field: string; direction?: 'asc' | 'desc' }[];
  view?: string;
}

interface Iterator {
  tableId: string;
  ids: string[];
  pos: number;
  createdAt: number;
}

/** Open list iterators of one base; an offset names one. */
export class IteratorStore {
  private readonly open = new Map<string, Iterator>();
  ttlMs: number;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  start(tableId: string, ids: string[], now: number): string {
    const key = newId('itr');
    this.open.set(key, { tableId, ids, pos: 0, createdAt: now });
    return key;
  }

  get(offset: string, tableId: string, now: number): { key: string; it: Iterator } {
    const key = offset.split('/')[0]!;
    const it = this.open.get(key);
    if (!it || it.tableId !== tableId || now - it.createdAt > this.ttlMs) {
      this.open.delete(key);
      throw errors.iteratorNotAvailable();
    }
    return { key, it };
  }

  finish(key: string): void {
    this.open.delete(key);
  }

  /** Makes every open offset fail with LIST_RECORDS_ITERATOR_NOT_AVAILABLE. */
  invalidate(): void {
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
}

/** Reads list parameters from a GET query string (airtable.js encodes arrays as `fields[]=` and `sort[0][field]=`). */
export function listParamsFromQuery(q: URLSearchParams): ListParams {
  const p: ListParams = {};
  const num = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw errors.invalidRequest();
    return n;
  };
  const pageSize = num('pageSize');
  if (pageSize !== undefined) p.pageSize = pageSize;
  const maxRecords = num('maxRecords');
  if (maxRecords !== undefined) p.maxRecords = maxRecords;
  const offset = q.get('offset');
  if (offset !== null && offset !== '') p.offset = offset;
  const fields = [...q.getAll('fields[]'), ...q.getAll('fields')];
  if (fields.length) p.fields = fields;
  const formula = q.get('filterByFormula');
  if (formula !== null) p.filterByFormula = formula;
  const byId = q.get('returnFieldsByFieldId');
  if (byId !== null) p.returnFieldsByFieldId = byId === 'true' || byId === '1';
  const cellFormat = q.get('cellFormat');
  if (cellFormat !== null) {
    if (cellFormat !== 'json' && cellFormat !== 'string') throw errors.invalidRequest();
    p.cellFormat = cellFormat;
  }
  const timeZone = q.get('timeZone');
  if (timeZone !== null) p.timeZone = timeZone;
  const userLocale = q.get('userLocale');
  if (userLocale !== null) p.userLocale = userLocale;
  const view = q.get('view');
  if (view !== null) p.view = view;
  const sort: { field: string; direction?: 'asc' | 'desc' }[] = [];
  for (let i = 0; q.has(`sort[${i}][field]`); i++) {
    const direction = q.get(`sort[${i}][direction]`);
    sort.push({
      field: q.get(`sort[${i}][field]`)!,
      ...(direction === 'desc' || direction === 'asc' ? { direction } : {}),
    });
  }
  if (sort.length) p.sort = sort;
  return p;
}

/** Reads list parameters from a POST listRecords body. */
export function listParamsFromBody(body: Json): ListParams {
  const allowed = [
    'pageSize',
    'maxRecords',
    'offset',
    'fields',
    'filterByFormula',
    'returnFieldsByFieldId',
    'cellFormat',
    'timeZone',
    'userLocale',
    'sort',
    'view',
    'recordMetadata',
    // airtable.js copies its own `method: 'post'` option into the body.
    'method',
  ];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw errors.invalidRequest();
  const p: ListParams = {};
  if (body.pageSize !== undefined) {
    if (!Number.isInteger(body.pageSize)) throw errors.invalidRequest();
    p.pageSize = body.pageSize as number;
  }
  if (body.maxRecords !== undefined) {
    if (!Number.isInteger(body.maxRecords)) throw errors.invalidRequest();
    p.maxRecords = body.maxRecords as number;
  }
  if (body.offset !== undefined && body.offset !== null) p.offset = String(body.offset);
  if (body.fields !== undefined) {
    if (!Array.isArray(body.fields) || body.fields.some((f) => typeof f !== 'string')) throw errors.invalidRequest();
    p.fields = body.fields as string[];
  }
  if (body.filterByFormula !== undefined) p.filterByFormula = String(body.filterByFormula);
  if (body.returnFieldsByFieldId !== undefined) p.returnFieldsByFieldId = body.returnFieldsByFieldId === true;
  if (body.cellFormat !== undefined) {
    if (body.cellFormat !== 'json' && body.cellFormat !== 'string') throw errors.invalidRequest();
    p.cellFormat = body.cellFormat;
  }
  if (typeof body.timeZone === 'string') p.timeZone = body.timeZone;
  if (typeof body.userLocale === 'string') p.userLocale = body.userLocale;
  if (typeof body.view === 'string') p.view = body.view;
  if (body.sort !== undefined) {
    if (!Array.isArray(body.sort) || body.sort.some((s) => !isObject(s) || typeof s.field !== 'string')) {
      throw errors.invalidRequest();
    }
    p.sort = body.sort as ListParams['sort'];
  }
  return p;
}

function resolveField(table: TableModel, ref: string): FieldModel {
  const f = table.field(ref);
  if (!f) throw errors.unknownFieldName(ref);
  return f;
}

export interface RenderOptions {
  byId?: boolean;
  only?: FieldModel[];
  cellFormat?: 'json' | 'string';
}

/** A record as the API answers it: empty cells left out. */
export function recordJson(table: TableModel, record: RecordModel, options: RenderOptions = {}): Json {
  const fields: Json = {};
  for (const f of options.only ?? table.fields) {
    const v = record.cells.get(f.id);
    if (v === undefined) continue;
    fields[options.byId ? f.id : f.name] = options.cellFormat === 'string' ? renderCellString(f, v) : renderCell(f, v);
  }
  return { id: record.id, createdTime: record.createdTime, fields };
}

export function listRecords(
  table: TableModel,
  params: ListParams,
  iterators: IteratorStore,
  now: number,
): { body: Json; count: number } {
  const pageSize = params.pageSize ?? MAX_PAGE_SIZE;
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw errors.invalidRequest();
  if (params.maxRecords !== undefined && params.maxRecords < 1) throw errors.invalidRequest();
  if (params.cellFormat === 'string' && (!params.timeZone || !params.userLocale)) {
    throw errors.invalidRequest(
      'The "timeZone" and "userLocale" parameters are required when using "string" as "cellFormat".',
    );
  }
  if (params.view !== undefined && params.view !== 'Grid view' && params.view !== table.viewId) {
    throw errors.invalidRequest(`View "${params.view}" does not exist`);
  }
  const only = params.fields?.map((ref) => resolveField(table, ref));
  let key: string;
  let it: { ids: string[]; pos: number };
  if (params.offset !== undefined) {
    ({ key, it } = iterators.get(params.offset, table.id, now));
  } else {
    const formula = params.filterByFormula ? compileFormula(params.filterByFormula, (n) => table.field(n)) : undefined;
    let records = [...table.records.values()];
    if (formula) records = records.filter(formula);
    if (params.sort?.length) {
      const keys = params.sort.map((s) => ({ field: resolveField(table, s.field), desc: s.direction === 'desc' }));
      records = records.sort((a, b) => {
        for (const k of keys) {
          const c = compareCells(a.cells.get(k.field.id), b.cells.get(k.field.id));
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
    }
    let ids = records.map((r) => r.id);
    if (params.maxRecords !== undefined) ids = ids.slice(0, params.maxRecords);
    key = iterators.start(table.id, ids, now);
    it = iterators.get(key, table.id, now).it;
  }
  const page: Json[] = [];
  // Records deleted since the listing started are skipped; their cells are read as they are now.
  while (page.length < pageSize && it.pos < it.ids.length) {
    const record = table.records.get(it.ids[it.pos++]!);
    if (record) {
      page.push(
        recordJson(table, record, {
          ...(params.returnFieldsByFieldId ? { byId: true } : {}),
          ...(only ? { only } : {}),
          ...(params.cellFormat ? { cellFormat: params.cellFormat } : {}),
        }),
      );
    }
  }
  const body: Json = { records: page };
  if (it.pos < it.ids.length) body.offset = `${key}/${it.ids[it.pos - 1] ?? it.ids[0]}`;
  else iterators.finish(key);
  return { body, count: page.length };
}

export function compareCells(a: CellValue | undefined, b: CellValue | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export interface WriteOptions {
  typecast: boolean;
  byId: boolean;
}

function writeOptions(body: Json, allowed: string[]): WriteOptions {
  for (const k of Object.keys(body)) {
    if (k === 'performUpsert') throw errors.invalidRequest('performUpsert is not supported by the Airtable emulator');
    if (!allowed.includes(k)) throw errors.invalidRequest();
  }
  if (body.typecast !== undefined && typeof body.typecast !== 'boolean') throw errors.invalidRequest();
  return { typecast: body.typecast === true, byId: body.returnFieldsByFieldId === true };
}

/** Checks a `fields` object and returns the cells to set (undefined = clear), by field id. */
function planCells(table: TableModel, fields: unknown, typecast: boolean): Map<string, CellValue | undefined> {
  if (!isObject(fields)) throw errors.invalidRequest();
  const cells = new Map<string, CellValue | undefined>();
  for (const [ref, value] of Object.entries(fields)) {
    const f = resolveField(table, ref);
    if (table.restrictedFields.has(f.id)) throw errors.fieldEditingLimited(f.name);
    cells.set(f.id, normalizeCell(f, value, typecast));
  }
  return cells;
}

function applyCells(record: RecordModel, cells: Map<string, CellValue | undefined>): void {
  for (const [id, v] of cells) {
    if (v === undefined) record.cells.delete(id);
    else record.cells.set(id, v);
  }
}

export function createRecords(
  base: BaseModel,
  table: TableModel,
  body: Json,
  now: number,
): { body: Json; count: number } {
  const options = writeOptions(body, ['records', 'fields', 'typecast', 'returnFieldsByFieldId']);
  const single = body.records === undefined;
  const specs: unknown[] = single ? [{ fields: body.fields }] : (body.records as unknown[]);
  if (!Array.isArray(specs) || specs.length === 0 || specs.length > MAX_RECORDS_PER_WRITE) {
    throw errors.invalidRecords(false);
  }
  if (specs.some((s) => !isObject(s) || !isObject(s.fields) || Object.keys(s).some((k) => k !== 'fields'))) {
    throw errors.invalidRecords(false);
  }
  // typecast may add select choices: plan on a copy of the choices so a failed batch adds none.
  const snapshot = table.fields.map((f) => ({ f, options: f.options }));
  let planned: Map<string, CellValue | undefined>[];
  try {
    planned = specs.map((s) => planCells(table, (s as Json).fields, options.typecast));
  } catch (e) {
    for (const { f, options: o } of snapshot) f.options = o;
    throw e;
  }
  if (base.recordCount + planned.length > base.recordLimit) {
    for (const { f, options: o } of snapshot) f.options = o;
    throw errors.recordLimitExceeded(base.recordLimit);
  }
  const createdTime = new Date(now).toISOString();
  const created = planned.map((cells) => {
    const record: RecordModel = { id: newId('rec'), createdTime, cells: new Map() };
    applyCells(record, cells);
    table.records.set(record.id, record);
    return recordJson(table, record, { byId: options.byId });
  });
  return { body: single ? created[0]! : { records: created }, count: created.length };
}

/** PATCH (merge) or PUT (replace: fields not named are cleared). `recordId` for the one-record path form. */
export function updateRecords(
  table: TableModel,
  body: Json,
  replace: boolean,
  recordId?: string,
): { body: Json; count: number } {
  const options = writeOptions(body, ['records', 'fields', 'typecast', 'returnFieldsByFieldId']);
  const specs: unknown[] =
    recordId !== undefined ? [{ id: recordId, fields: body.fields }] : (body.records as unknown[]);
  if (!Array.isArray(specs) || specs.length === 0 || specs.length > MAX_RECORDS_PER_WRITE) {
    throw errors.invalidRecords(true);
  }
  if (
    specs.some(
      (s) =>
        !isObject(s) ||
        typeof s.id !== 'string' ||
        !isObject(s.fields) ||
        Object.keys(s).some((k) => k !== 'id' && k !== 'fields'),
    )
  ) {
    throw errors.invalidRecords(true);
  }
  const snapshot = table.fields.map((f) => ({ f, options: f.options }));
  let planned: { record: RecordModel; cells: Map<string, CellValue | undefined> }[];
  try {
    planned = (specs as { id: string; fields: Json }[]).map((s) => {
      const record = table.records.get(s.id);
      if (!record) {
        if (recordId !== undefined) throw errors.notFound(`Could not find record ${s.id}`);
        throw errors.rowDoesNotExist(s.id);
      }
      return { record, cells: planCells(table, s.fields, options.typecast) };
    });
  } catch (e) {
    for (const { f, options: o } of snapshot) f.options = o;
    throw e;
  }
  if (replace && table.restrictedFields.size > 0) {
    // PUT clears every field it does not name, restricted ones included: refused.
    const field = table.fields.find((f) => table.restrictedFields.has(f.id))!;
    for (const { f, options: o } of snapshot) f.options = o;
    throw errors.fieldEditingLimited(field.name);
  }
  const updated = planned.map(({ record, cells }) => {
    if (replace) record.cells.clear();
    applyCells(record, cells);
    return recordJson(table, record, { byId: options.byId });
  });
  return { body: recordId !== undefined ? updated[0]! : { records: updated }, count: updated.length };
}

export function deleteRecords(table: TableModel, ids: string[], single: boolean): { body: Json; count: number } {
  if (ids.length === 0 || ids.length > MAX_RECORDS_PER_WRITE) throw errors.invalidRecords(true);
  for (const id of ids) {
    if (!isId('rec', id) || !table.records.has(id)) {
      if (single) throw errors.notFound(`Could not find record ${id}`);
      throw errors.rowDoesNotExist(id);
    }
  }
  for (const id of ids) table.records.delete(id);
  const results = ids.map((id) => ({ id, deleted: true }));
  return { body: single ? results[0]! : { records: results }, count: ids.length };
}

export function getRecord(table: TableModel, recordId: string, q: URLSearchParams): Json {
  const record = table.records.get(recordId);
  if (!record) throw errors.notFound(`Could not find record ${recordId}`);
  const byId = q.get('returnFieldsByFieldId');
  return recordJson(table, record, { byId: byId === 'true' || byId === '1' });
}
