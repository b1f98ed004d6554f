/**
 * spreadsheets.batchUpdate for the Sheets emulator.
 *
 * Atomic like Google: every request is validated first against a light "shadow" of
 * the spreadsheet (sheet ids, titles, grid sizes, object ids) which each validated
 * request updates, so later requests may depend on earlier ones (add a sheet, then
 * validate a range on it). Only when all requests are valid are they applied, in
 * order. Any invalid request → 400 INVALID_ARGUMENT "Invalid requests[i].kind: ...",
 * nothing applied.
 *
 * Request types: addSheet, deleteSheet, updateSheetProperties, updateSpreadsheetProperties,
 * setDataValidation, addProtectedRange, updateProtectedRange, deleteProtectedRange,
 * addConditionalFormatRule, updateConditionalFormatRule, deleteConditionalFormatRule,
 * addChart, updateChartSpec, deleteEmbeddedObject, repeatCell, updateCells,
 * updateDimensionProperties, autoResizeDimensions, appendDimension, insertDimension,
 * deleteDimension, sortRange, createDeveloperMetadata, updateDeveloperMetadata,
 * deleteDeveloperMetadata. Anything else fails loudly.
 */
import {
  ApiError,
  applyMasked,
  cellLimitMessage,
  clone,
  gridCells,
  invalid,
  isObject,
  parseFieldMask,
  SheetModel,
  type Dimension,
  type FieldTree,
  type FormulaEvaluator,
  type GridRange,
  type Json,
  type SpreadsheetModel,
} from './model.ts';
import { format as formatA1 } from './a1.ts';
import type { Scalar } from './values.ts';

class RequestError extends Error {}

const fail = (message: string): never => {
  throw new RequestError(message);
};

interface ShadowSheet {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  frozenRowCount: number;
  frozenColumnCount: number;
  conditionalFormats: number;
}

class Shadow {
  sheets: ShadowSheet[];
  protectedRangeIds: Set<number>;
  chartIds: Set<number>;
  metadataIds: Set<number>;
  readonly cellLimit: number;
  private nextId: number;

  constructor(model: SpreadsheetModel) {
    this.cellLimit = model.cellLimit;
    this.sheets = model.sheets.map((s) => ({
      sheetId: s.sheetId,
      title: s.title,
      rowCount: s.rowCount,
      columnCount: s.columnCount,
      frozenRowCount: s.frozenRowCount,
      frozenColumnCount: s.frozenColumnCount,
      conditionalFormats: s.conditionalFormats.length,
    }));
    this.protectedRangeIds = new Set(
      model.sheets.flatMap((s) => s.protectedRanges.map((p) => p.protectedRangeId as number)),
    );
    this.chartIds = new Set(model.sheets.flatMap((s) => s.charts.map((c) => c.chartId as number)));
    this.metadataIds = new Set(model.developerMetadata.map((m) => m.metadataId as number));
    this.nextId = model.peekId();
  }

  /** The cells of every tab's grid as the requests so far leave them. */
  cellCount(): number {
    return gridCells(this.sheets);
  }

  allocId(): number {
    let id = this.nextId++;
    while (this.sheets.some((s) => s.sheetId === id) || this.protectedRangeIds.has(id) || this.chartIds.has(id)) {
      id = this.nextId++;
    }
    return id;
  }

  sheet(sheetId: unknown): ShadowSheet {
    const id = sheetId === undefined ? 0 : sheetId;
    if (typeof id !== 'number' || !Number.isInteger(id)) return fail(`Invalid sheetId: ${JSON.stringify(sheetId)}`);
    const s = this.sheets.find((x) => x.sheetId === id);
    if (!s) return fail(`No grid with id: ${id}`);
    return s;
  }

  titleTaken(title: string, except?: number): boolean {
    const lower = title.toLowerCase();
    return this.sheets.some((s) => s.title.toLowerCase() === lower && s.sheetId !== except);
  }
}

export interface BatchContext {
  requesterEmail: string | undefined;
  evaluate: FormulaEvaluator;
}

type Apply = (model: SpreadsheetModel) => Json;
type Handler = (req: Json, shadow: Shadow, ctx: BatchContext) => Apply;

// ---------------------------------------------------------------------------
// small validators

function obj(v: unknown, what: string, optional = false): Json {
  if (v === undefined && optional) return {};
  if (!isObject(v)) return fail(`${what} must be an object`);
  return v;
}

function keys(o: Json, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(`Unknown field "${k}" in ${where}`);
  }
}

function int(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return fail(`${what} must be an integer >= ${min}`);
  return v;
}

function optInt(v: unknown, what: string, min = 0): number | undefined {
  return v === undefined ? undefined : int(v, what, min);
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') return fail(`${what} must be a non-empty string`);
  return v;
}

function mask(v: unknown): FieldTree {
  if (typeof v !== 'string' || v.trim() === '') return fail('At least one field must be specified in "fields"');
  try {
    return parseFieldMask(v);
  } catch (e) {
    return fail(e instanceof ApiError ? e.message : String(e));
  }
}

function a1Of(s: ShadowSheet, r0: number, c0: number, r1: number, c1: number): string {
  return formatA1({
    sheet: s.title,
    startRow: r0,
    startCol: c0,
    endRow: Math.max(r1, r0 + 1),
    endCol: Math.max(c1, c0 + 1),
  });
}

interface Resolved {
  sheet: ShadowSheet;
  range: GridRange;
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/** Validates a GridRange (sheetId defaults to 0 like the proto) against the grid. */
function gridRange(shadow: Shadow, v: unknown, what = 'range'): Resolved {
  const g = obj(v, what);
  keys(g, ['sheetId', 'startRowIndex', 'endRowIndex', 'startColumnIndex', 'endColumnIndex'], what);
  const sheet = shadow.sheet(g.sheetId);
  const range: GridRange = { sheetId: sheet.sheetId };
  const sr = optInt(g.startRowIndex, `${what}.startRowIndex`);
  const er = optInt(g.endRowIndex, `${what}.endRowIndex`);
  const sc = optInt(g.startColumnIndex, `${what}.startColumnIndex`);
  const ec = optInt(g.endColumnIndex, `${what}.endColumnIndex`);
  if (sr !== undefined) range.startRowIndex = sr;
  if (er !== undefined) range.endRowIndex = er;
  if (sc !== undefined) range.startColumnIndex = sc;
  if (ec !== undefined) range.endColumnIndex = ec;
  const r0 = sr ?? 0;
  const r1 = er ?? sheet.rowCount;
  const c0 = sc ?? 0;
  const c1 = ec ?? sheet.columnCount;
  if (r1 < r0) fail(`${what}.startRowIndex[${r0}] must be less than or equal to endRowIndex[${r1}]`);
  if (c1 < c0) fail(`${what}.startColumnIndex[${c0}] must be less than or equal to endColumnIndex[${c1}]`);
  if (r1 > sheet.rowCount || c1 > sheet.columnCount || r0 > sheet.rowCount || c0 > sheet.columnCount) {
    fail(
      `Range (${a1Of(sheet, r0, c0, r1, c1)}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    );
  }
  return { sheet, range, r0, r1, c0, c1 };
}

function dimension(v: unknown, what: string): Dimension {
  if (v !== 'ROWS' && v !== 'COLUMNS') return fail(`${what} must be ROWS or COLUMNS`);
  return v;
}

interface ResolvedDim {
  sheet: ShadowSheet;
  dim: Dimension;
  start: number;
  end: number;
}

function dimensionRange(shadow: Shadow, v: unknown, what = 'range', allowInsertAtEnd = false): ResolvedDim {
  const d = obj(v, what);
  keys(d, ['sheetId', 'dimension', 'startIndex', 'endIndex'], what);
  const sheet = shadow.sheet(d.sheetId);
  const dim = dimension(d.dimension, `${what}.dimension`);
  const count = dim === 'ROWS' ? sheet.rowCount : sheet.columnCount;
  const start = optInt(d.startIndex, `${what}.startIndex`) ?? 0;
  const end = optInt(d.endIndex, `${what}.endIndex`) ?? count;
  if (end <= start) fail(`${what}: endIndex[${end}] must be greater than startIndex[${start}]`);
  if (!allowInsertAtEnd && end > count) {
    fail(`${what}: endIndex[${end}] is out of bounds; the sheet has ${count} ${dim === 'ROWS' ? 'rows' : 'columns'}`);
  }
  if (allowInsertAtEnd && start > count) fail(`${what}: startIndex[${start}] is out of bounds (${count})`);
  return { sheet, dim, start, end };
}

function sheetOf(model: SpreadsheetModel, sheetId: number): SheetModel {
  const s = model.sheetById(sheetId);
  if (!s) throw new ApiError(500, 'INTERNAL', `emulator bug: sheet ${sheetId} vanished between validation and apply`);
  return s;
}

/** ExtendedValue → stored cell. */
function writeExtendedValue(
  sheet: SheetModel,
  r: number,
  c: number,
  ev: Json | undefined,
  ctx: BatchContext,
  model: SpreadsheetModel,
): void {
  if (!ev || Object.keys(ev).length === 0) return sheet.clearCell(r, c);
  if (typeof ev.formulaValue === 'string') {
    return sheet.writeCell(r, c, ev.formulaValue, 'USER_ENTERED', ctx.evaluate, model.id);
  }
  const v = (ev.stringValue ?? ev.numberValue ?? ev.boolValue) as Scalar;
  sheet.clearCell(r, c);
  if (v === '') return;
  sheet.writeCell(r, c, v, 'RAW', ctx.evaluate, model.id);
}

function checkExtendedValue(ev: unknown, what: string): void {
  if (ev === undefined) return;
  const o = obj(ev, what);
  const set = Object.keys(o);
  if (set.length > 1) fail(`${what}: only one of stringValue, numberValue, boolValue, formulaValue may be set`);
  const k = set[0];
  if (k === undefined) return;
  if (k === 'errorValue') fail(`${what}.errorValue cannot be written`);
  const types: Record<string, string> = {
    stringValue: 'string',
    numberValue: 'number',
    boolValue: 'boolean',
    formulaValue: 'string',
  };
  if (!types[k]) fail(`Unknown field "${k}" in ${what}`);
  if (typeof o[k] !== types[k]) fail(`${what}.${k} must be a ${types[k]}`);
}

const CELL_FIELDS = ['userEnteredValue', 'userEnteredFormat', 'dataValidation', 'note'] as const;

/** Splits a CellData mask into the supported parts (null entry = whole field). */
function cellMask(tree: FieldTree): Map<string, FieldTree> {
  const out = new Map<string, FieldTree>();
  if (tree === null) {
    for (const f of CELL_FIELDS) out.set(f, null);
    return out;
  }
  for (const [k, sub] of tree) {
    if (!(CELL_FIELDS as readonly string[]).includes(k)) {
      fail(`fields: "${k}" is not supported by the Sheets emulator (supported: ${CELL_FIELDS.join(', ')})`);
    }
    if (k !== 'userEnteredFormat' && sub !== null) fail(`fields: sub-fields of ${k} are not supported`);
    out.set(k, sub);
  }
  return out;
}

function checkRule(rule: unknown, what: string): Json {
  const r = obj(rule, what);
  const cond = obj(r.condition, `${what}.condition`);
  str(cond.type, `${what}.condition.type`);
  if (cond.values !== undefined && !Array.isArray(cond.values)) fail(`${what}.condition.values must be a list`);
  if (
    (cond.type === 'ONE_OF_LIST' || cond.type === 'ONE_OF_RANGE') &&
    !(cond.values as unknown[] | undefined)?.length
  ) {
    fail(`${what}.condition: ${cond.type} needs at least one value`);
  }
  return r;
}

function locationOf(shadow: Shadow, v: unknown, what: string): Json {
  const loc = obj(v, what);
  keys(loc, ['spreadsheet', 'sheetId', 'dimensionRange', 'locationType'], what);
  const set = ['spreadsheet', 'sheetId', 'dimensionRange'].filter((k) => loc[k] !== undefined);
  if (set.length !== 1) fail(`${what}: exactly one of spreadsheet, sheetId, dimensionRange must be set`);
  if (loc.spreadsheet !== undefined) {
    if (loc.spreadsheet !== true) fail(`${what}.spreadsheet must be true`);
    return { locationType: 'SPREADSHEET', spreadsheet: true };
  }
  if (loc.sheetId !== undefined) return { locationType: 'SHEET', sheetId: shadow.sheet(loc.sheetId).sheetId };
  const d = dimensionRange(shadow, loc.dimensionRange, `${what}.dimensionRange`);
  if (d.end - d.start !== 1) fail(`${what}.dimensionRange must be a single row or column`);
  return {
    locationType: d.dim === 'ROWS' ? 'ROW' : 'COLUMN',
    dimensionRange: { sheetId: d.sheet.sheetId, dimension: d.dim, startIndex: d.start, endIndex: d.end },
  };
}

function checkLookup(filter: unknown, what: string): Json {
  const f = obj(filter, what);
  if (f.a1Range !== undefined || f.gridRange !== undefined) {
    fail(`${what}: only developerMetadataLookup data filters are supported by the Sheets emulator`);
  }
  const lookup = obj(f.developerMetadataLookup, `${what}.developerMetadataLookup`);
  keys(
    lookup,
    [
      'metadataId',
      'metadataKey',
      'metadataValue',
      'visibility',
      'locationType',
      'metadataLocation',
      'locationMatchingStrategy',
    ],
    `${what}.developerMetadataLookup`,
  );
  return lookup;
}

/** Exact-match developer metadata lookup (EXACT_LOCATION). */
export function matchesLookup(md: Json, lookup: Json): boolean {
  if (lookup.metadataId !== undefined && md.metadataId !== lookup.metadataId) return false;
  if (lookup.metadataKey !== undefined && md.metadataKey !== lookup.metadataKey) return false;
  if (lookup.metadataValue !== undefined && md.metadataValue !== lookup.metadataValue) return false;
  if (lookup.visibility !== undefined && md.visibility !== lookup.visibility) return false;
  const loc = md.location as Json;
  if (lookup.locationType !== undefined && loc.locationType !== lookup.locationType) return false;
  const want = lookup.metadataLocation as Json | undefined;
  if (want) {
    if (want.spreadsheet !== undefined && loc.spreadsheet !== want.spreadsheet) return false;
    if (want.sheetId !== undefined && loc.sheetId !== want.sheetId) return false;
    if (
      want.dimensionRange !== undefined &&
      JSON.stringify(loc.dimensionRange) !== JSON.stringify(want.dimensionRange)
    ) {
      return false;
    }
  }
  return true;
}

function protectedRangeOut(p: Json): Json {
  return { ...clone(p), requestingUserCanEdit: true };
}

function findProtected(model: SpreadsheetModel, id: number): { sheet: SheetModel; index: number } {
  for (const sheet of model.sheets) {
    const index = sheet.protectedRanges.findIndex((p) => p.protectedRangeId === id);
    if (index >= 0) return { sheet, index };
  }
  throw new ApiError(500, 'INTERNAL', `emulator bug: protected range ${id} vanished`);
}

function findChart(model: SpreadsheetModel, id: number): { sheet: SheetModel; index: number } {
  for (const sheet of model.sheets) {
    const index = sheet.charts.findIndex((c) => c.chartId === id);
    if (index >= 0) return { sheet, index };
  }
  throw new ApiError(500, 'INTERNAL', `emulator bug: chart ${id} vanished`);
}

const GRID_PROP_KEYS = ['rowCount', 'columnCount', 'frozenRowCount', 'frozenColumnCount'];

/** Validates a full SheetProperties object (after a masked update) against the shadow. */
function checkSheetProps(props: Json, shadow: Shadow, sheetId: number): void {
  keys(
    props,
    ['sheetId', 'title', 'index', 'sheetType', 'gridProperties', 'hidden', 'tabColor', 'tabColorStyle', 'rightToLeft'],
    'properties',
  );
  if (props.sheetId !== sheetId) fail('sheetId cannot be changed');
  const title = str(props.title, 'properties.title');
  if (shadow.titleTaken(title, sheetId)) {
    fail(`A sheet with the name "${title}" already exists. Please enter another name.`);
  }
  if (props.sheetType !== undefined && props.sheetType !== 'GRID')
    fail('only GRID sheets are supported by the emulator');
  const grid = obj(props.gridProperties, 'properties.gridProperties', true);
  keys(
    grid,
    [...GRID_PROP_KEYS, 'hideGridlines', 'rowGroupControlAfter', 'columnGroupControlAfter'],
    'properties.gridProperties',
  );
  const rows = int(grid.rowCount, 'gridProperties.rowCount', 1);
  const cols = int(grid.columnCount, 'gridProperties.columnCount', 1);
  const fr = optInt(grid.frozenRowCount, 'gridProperties.frozenRowCount') ?? 0;
  const fc = optInt(grid.frozenColumnCount, 'gridProperties.frozenColumnCount') ?? 0;
  if (fr >= rows) fail("You can't freeze all visible rows on the sheet.");
  if (fc >= cols) fail("You can't freeze all visible columns on the sheet.");
  optInt(props.index, 'properties.index');
}

function writeSheetProps(model: SpreadsheetModel, sheet: SheetModel, props: Json): void {
  const grid = (props.gridProperties as Json | undefined) ?? {};
  sheet.title = props.title as string;
  sheet.hidden = props.hidden === true;
  const rows = grid.rowCount as number;
  const cols = grid.columnCount as number;
  if (rows < sheet.rowCount) model.deleteDimension(sheet, 'ROWS', rows, sheet.rowCount - rows);
  else sheet.rowCount = rows;
  if (cols < sheet.columnCount) model.deleteDimension(sheet, 'COLUMNS', cols, sheet.columnCount - cols);
  else sheet.columnCount = cols;
  sheet.frozenRowCount = (grid.frozenRowCount as number | undefined) ?? 0;
  sheet.frozenColumnCount = (grid.frozenColumnCount as number | undefined) ?? 0;
  sheet.extraGridProps = {};
  for (const [k, v] of Object.entries(grid))
    if (!GRID_PROP_KEYS.includes(k) && v !== undefined) sheet.extraGridProps[k] = v;
  sheet.extraProps = {};
  for (const k of ['tabColor', 'tabColorStyle', 'rightToLeft'])
    if (props[k] !== undefined) sheet.extraProps[k] = clone(props[k]);
  if (typeof props.index === 'number') {
    const from = model.sheets.indexOf(sheet);
    const to = Math.min(props.index, model.sheets.length - 1);
    if (from !== to) {
      model.sheets.splice(from, 1);
      model.sheets.splice(to, 0, sheet);
    }
  }
}

// ---------------------------------------------------------------------------
// handlers

const handlers: Record<string, Handler> = {
  addSheet(req, shadow) {
    keys(req, ['properties'], 'addSheet');
    const p = obj(req.properties, 'properties', true);
    let sheetId: number;
    if (p.sheetId !== undefined) {
      sheetId = int(p.sheetId, 'properties.sheetId');
      if (shadow.sheets.some((s) => s.sheetId === sheetId)) fail(`A sheet with id ${sheetId} already exists.`);
    } else sheetId = shadow.allocId();
    let title = p.title as string | undefined;
    if (title === undefined) {
      let n = shadow.sheets.length + 1;
      while (shadow.titleTaken(`Sheet${n}`)) n++;
      title = `Sheet${n}`;
    }
    const grid = obj(p.gridProperties, 'properties.gridProperties', true);
    const props: Json = {
      ...clone(p),
      sheetId,
      title,
      gridProperties: { rowCount: 1000, columnCount: 26, ...clone(grid) },
    };
    delete props.index;
    checkSheetProps(props, shadow, sheetId);
    const index = Math.min(optInt(p.index, 'properties.index') ?? shadow.sheets.length, shadow.sheets.length);
    const g = props.gridProperties as Json;
    shadow.sheets.splice(index, 0, {
      sheetId,
      title,
      rowCount: g.rowCount as number,
      columnCount: g.columnCount as number,
      frozenRowCount: (g.frozenRowCount as number | undefined) ?? 0,
      frozenColumnCount: (g.frozenColumnCount as number | undefined) ?? 0,
      conditionalFormats: 0,
    });
    return (model) => {
      const sheet = new SheetModel(sheetId, title, g.rowCount as number, g.columnCount as number);
      model.reserveId(sheetId);
      model.sheets.splice(index, 0, sheet);
      writeSheetProps(model, sheet, { ...props, index });
      return { addSheet: { properties: sheet.properties(model.sheets.indexOf(sheet)) } };
    };
  },

  deleteSheet(req, shadow) {
    keys(req, ['sheetId'], 'deleteSheet');
    const s = shadow.sheet(req.sheetId);
    if (shadow.sheets.length === 1) fail("You can't remove all the sheets in a document.");
    shadow.sheets = shadow.sheets.filter((x) => x !== s);
    return (model) => {
      model.removeSheet(sheetOf(model, s.sheetId));
      return {};
    };
  },

  updateSheetProperties(req, shadow) {
    keys(req, ['properties', 'fields'], 'updateSheetProperties');
    const p = obj(req.properties, 'properties');
    const tree = mask(req.fields);
    const s = shadow.sheet(p.sheetId);
    const current: Json = {
      sheetId: s.sheetId,
      title: s.title,
      index: shadow.sheets.indexOf(s),
      gridProperties: {
        rowCount: s.rowCount,
        columnCount: s.columnCount,
        frozenRowCount: s.frozenRowCount,
        frozenColumnCount: s.frozenColumnCount,
      },
    };
    const next = tree === null ? { ...clone(p), sheetId: s.sheetId } : current;
    if (tree !== null) applyMasked(next, p, tree);
    checkSheetProps(next, shadow, s.sheetId);
    const g = next.gridProperties as Json;
    s.title = next.title as string;
    s.rowCount = g.rowCount as number;
    s.columnCount = g.columnCount as number;
    s.frozenRowCount = (g.frozenRowCount as number | undefined) ?? 0;
    s.frozenColumnCount = (g.frozenColumnCount as number | undefined) ?? 0;
    return (model) => {
      const sheet = sheetOf(model, s.sheetId);
      const props = sheet.properties(model.sheets.indexOf(sheet));
      if (tree === null) writeSheetProps(model, sheet, { ...clone(p), sheetId: sheet.sheetId });
      else {
        applyMasked(props, p, tree);
        writeSheetProps(model, sheet, props);
      }
      return {};
    };
  },

  updateSpreadsheetProperties(req) {
    keys(req, ['properties', 'fields'], 'updateSpreadsheetProperties');
    const p = obj(req.properties, 'properties');
    const tree = mask(req.fields);
    if ((tree === null || tree.has('title')) && (typeof p.title !== 'string' || p.title === '')) {
      fail('properties.title must be a non-empty string');
    }
    return (model) => {
      const props = model.properties();
      const next = tree === null ? clone(p) : props;
      if (tree !== null) applyMasked(next, p, tree);
      model.title = (next.title as string | undefined) ?? model.title;
      model.locale = (next.locale as string | undefined) ?? model.locale;
      model.timeZone = (next.timeZone as string | undefined) ?? model.timeZone;
      model.extraProps = {};
      for (const [k, v] of Object.entries(next)) {
        if (!['title', 'locale', 'timeZone', 'autoRecalc'].includes(k) && v !== undefined)
          model.extraProps[k] = clone(v);
      }
      return {};
    };
  },

  setDataValidation(req, shadow) {
    keys(req, ['range', 'rule', 'filteredRowsIncluded'], 'setDataValidation');
    const { sheet, range } = gridRange(shadow, req.range);
    const rule = req.rule === undefined ? null : checkRule(req.rule, 'rule');
    return (model) => {
      sheetOf(model, sheet.sheetId).setValidation(range, rule);
      return {};
    };
  },

  addProtectedRange(req, shadow, ctx) {
    keys(req, ['protectedRange'], 'addProtectedRange');
    const p = obj(req.protectedRange, 'protectedRange');
    keys(
      p,
      [
        'protectedRangeId',
        'range',
        'namedRangeId',
        'tableId',
        'description',
        'warningOnly',
        'requestingUserCanEdit',
        'unprotectedRanges',
        'editors',
      ],
      'protectedRange',
    );
    if (p.namedRangeId !== undefined || p.tableId !== undefined) {
      fail('protectedRange: only "range" is supported by the Sheets emulator (no namedRangeId/tableId)');
    }
    const { sheet, range } = gridRange(shadow, p.range, 'protectedRange.range');
    const unprotected = ((p.unprotectedRanges as unknown[] | undefined) ?? []).map(
      (u, i) => gridRange(shadow, u, `protectedRange.unprotectedRanges[${i}]`).range,
    );
    if (p.warningOnly === true && p.editors !== undefined)
      fail('Cannot set editors on a warning-only protected range.');
    let id: number;
    if (p.protectedRangeId !== undefined) {
      id = int(p.protectedRangeId, 'protectedRange.protectedRangeId');
      if (shadow.protectedRangeIds.has(id)) fail(`A protected range with id ${id} already exists.`);
    } else id = shadow.allocId();
    shadow.protectedRangeIds.add(id);
    const stored: Json = { protectedRangeId: id, range };
    if (p.description !== undefined) stored.description = p.description;
    if (p.warningOnly === true) stored.warningOnly = true;
    if (unprotected.length) stored.unprotectedRanges = unprotected;
    if (p.warningOnly !== true) {
      stored.editors =
        p.editors !== undefined ? clone(p.editors) : { users: [ctx.requesterEmail ?? 'owner@sheets-emulator.test'] };
    }
    return (model) => {
      model.reserveId(id);
      sheetOf(model, sheet.sheetId).protectedRanges.push(stored);
      return { addProtectedRange: { protectedRange: protectedRangeOut(stored) } };
    };
  },

  updateProtectedRange(req, shadow) {
    keys(req, ['protectedRange', 'fields'], 'updateProtectedRange');
    const p = obj(req.protectedRange, 'protectedRange');
    const id = int(p.protectedRangeId, 'protectedRange.protectedRangeId');
    if (!shadow.protectedRangeIds.has(id)) fail(`No protected range with id: ${id}`);
    const tree = mask(req.fields);
    if (tree === null || tree.has('range')) gridRange(shadow, p.range, 'protectedRange.range');
    return (model) => {
      const { sheet, index } = findProtected(model, id);
      const current = sheet.protectedRanges[index]!;
      const next = tree === null ? { ...clone(p), protectedRangeId: id } : current;
      if (tree !== null) applyMasked(next, p, tree);
      delete next.requestingUserCanEdit;
      const target = model.sheetById(((next.range as GridRange).sheetId ?? 0) as number) ?? sheet;
      sheet.protectedRanges.splice(index, 1);
      target.protectedRanges.push(next);
      return {};
    };
  },

  deleteProtectedRange(req, shadow) {
    keys(req, ['protectedRangeId'], 'deleteProtectedRange');
    const id = int(req.protectedRangeId, 'protectedRangeId');
    if (!shadow.protectedRangeIds.has(id)) fail(`No protected range with id: ${id}`);
    shadow.protectedRangeIds.delete(id);
    return (model) => {
      const { sheet, index } = findProtected(model, id);
      sheet.protectedRanges.splice(index, 1);
      return {};
    };
  },

  addConditionalFormatRule(req, shadow) {
    keys(req, ['rule', 'index'], 'addConditionalFormatRule');
    const rule = obj(req.rule, 'rule');
    keys(rule, ['ranges', 'booleanRule', 'gradientRule'], 'rule');
    if (!Array.isArray(rule.ranges) || rule.ranges.length === 0) fail('rule.ranges must not be empty');
    const resolved = (rule.ranges as unknown[]).map((g, i) => gridRange(shadow, g, `rule.ranges[${i}]`));
    const sheet = resolved[0]!.sheet;
    if (resolved.some((r) => r.sheet !== sheet))
      fail('All ranges of a conditional format rule must be on the same sheet');
    if ((rule.booleanRule === undefined) === (rule.gradientRule === undefined)) {
      fail('rule: exactly one of booleanRule or gradientRule must be set');
    }
    if (rule.booleanRule !== undefined) checkRule(rule.booleanRule, 'rule.booleanRule');
    const index = optInt(req.index, 'index') ?? 0;
    if (index > sheet.conditionalFormats) fail(`index[${index}] is out of bounds (${sheet.conditionalFormats} rules)`);
    sheet.conditionalFormats++;
    const stored: Json = { ...clone(rule), ranges: resolved.map((r) => r.range) };
    return (model) => {
      sheetOf(model, sheet.sheetId).conditionalFormats.splice(index, 0, stored);
      return {};
    };
  },

  updateConditionalFormatRule(req, shadow) {
    keys(req, ['index', 'sheetId', 'rule', 'newIndex'], 'updateConditionalFormatRule');
    const index = int(req.index, 'index');
    const sheet = shadow.sheet(req.sheetId);
    if (index >= sheet.conditionalFormats) fail(`No conditional format on sheet ${sheet.sheetId} at index ${index}`);
    if ((req.rule === undefined) === (req.newIndex === undefined)) fail('exactly one of rule or newIndex must be set');
    let stored: Json | undefined;
    if (req.rule !== undefined) {
      const rule = obj(req.rule, 'rule');
      const resolved = ((rule.ranges as unknown[] | undefined) ?? []).map((g, i) =>
        gridRange(shadow, g, `rule.ranges[${i}]`),
      );
      if (!resolved.length || resolved.some((r) => r.sheet !== sheet)) fail('rule.ranges must be on the same sheet');
      stored = { ...clone(rule), ranges: resolved.map((r) => r.range) };
    }
    const newIndex = req.newIndex === undefined ? undefined : int(req.newIndex, 'newIndex');
    if (newIndex !== undefined && newIndex >= sheet.conditionalFormats) fail(`newIndex[${newIndex}] is out of bounds`);
    return (model) => {
      const list = sheetOf(model, sheet.sheetId).conditionalFormats;
      const [old] = list.splice(index, 1);
      list.splice(newIndex ?? index, 0, stored ?? old!);
      return {
        updateConditionalFormatRule: stored
          ? { newRule: clone(stored), oldRule: clone(old) }
          : { newRule: clone(old), newIndex },
      };
    };
  },

  deleteConditionalFormatRule(req, shadow) {
    keys(req, ['index', 'sheetId'], 'deleteConditionalFormatRule');
    const index = int(req.index, 'index');
    const sheet = shadow.sheet(req.sheetId);
    if (index >= sheet.conditionalFormats) fail(`No conditional format on sheet ${sheet.sheetId} at index ${index}`);
    sheet.conditionalFormats--;
    return (model) => {
      const [rule] = sheetOf(model, sheet.sheetId).conditionalFormats.splice(index, 1);
      return { deleteConditionalFormatRule: { rule } };
    };
  },

  addChart(req, shadow) {
    keys(req, ['chart'], 'addChart');
    const chart = obj(req.chart, 'chart');
    keys(chart, ['chartId', 'spec', 'position', 'border'], 'chart');
    obj(chart.spec, 'chart.spec');
    const pos = obj(chart.position, 'chart.position');
    keys(pos, ['sheetId', 'overlayPosition', 'newSheet'], 'chart.position');
    if (pos.newSheet !== undefined)
      fail('chart.position.newSheet is not supported by the Sheets emulator; anchor the chart on a sheet');
    let sheetId: number;
    if (pos.overlayPosition !== undefined) {
      const overlay = obj(pos.overlayPosition, 'chart.position.overlayPosition');
      const anchor = obj(overlay.anchorCell, 'chart.position.overlayPosition.anchorCell');
      sheetId = shadow.sheet(anchor.sheetId).sheetId;
    } else if (pos.sheetId !== undefined) sheetId = shadow.sheet(pos.sheetId).sheetId;
    else return fail('chart.position: one of overlayPosition or sheetId must be set');
    let id: number;
    if (chart.chartId !== undefined) {
      id = int(chart.chartId, 'chart.chartId');
      if (shadow.chartIds.has(id)) fail(`An object with id ${id} already exists.`);
    } else id = shadow.allocId();
    shadow.chartIds.add(id);
    const stored: Json = { ...clone(chart), chartId: id };
    return (model) => {
      model.reserveId(id);
      sheetOf(model, sheetId).charts.push(stored);
      return { addChart: { chart: clone(stored) } };
    };
  },

  updateChartSpec(req, shadow) {
    keys(req, ['chartId', 'spec'], 'updateChartSpec');
    const id = int(req.chartId, 'chartId');
    if (!shadow.chartIds.has(id)) fail(`No chart with id: ${id}`);
    const spec = obj(req.spec, 'spec');
    return (model) => {
      const { sheet, index } = findChart(model, id);
      sheet.charts[index]!.spec = clone(spec);
      return {};
    };
  },

  deleteEmbeddedObject(req, shadow) {
    keys(req, ['objectId'], 'deleteEmbeddedObject');
    const id = int(req.objectId, 'objectId');
    if (!shadow.chartIds.has(id)) fail(`No object with id: ${id}`);
    shadow.chartIds.delete(id);
    return (model) => {
      const { sheet, index } = findChart(model, id);
      sheet.charts.splice(index, 1);
      return {};
    };
  },

  repeatCell(req, shadow, ctx) {
    keys(req, ['range', 'cell', 'fields'], 'repeatCell');
    const { sheet, range, r0, r1, c0, c1 } = gridRange(shadow, req.range);
    const cell = obj(req.cell, 'cell', true);
    const parts = cellMask(mask(req.fields));
    checkExtendedValue(cell.userEnteredValue, 'cell.userEnteredValue');
    if (parts.has('dataValidation') && cell.dataValidation !== undefined)
      checkRule(cell.dataValidation, 'cell.dataValidation');
    if (cell.userEnteredFormat !== undefined) obj(cell.userEnteredFormat, 'cell.userEnteredFormat');
    return (model) => {
      const s = sheetOf(model, sheet.sheetId);
      if (parts.has('userEnteredFormat')) {
        s.setRangeFormat(range, (cell.userEnteredFormat as Json | undefined) ?? {}, parts.get('userEnteredFormat')!);
      }
      if (parts.has('dataValidation')) s.setValidation(range, (cell.dataValidation as Json | undefined) ?? null);
      if (parts.has('userEnteredValue') || parts.has('note')) {
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            if (parts.has('userEnteredValue')) {
              writeExtendedValue(s, r, c, cell.userEnteredValue as Json | undefined, ctx, model);
            }
            if (parts.has('note')) setNote(s, r, c, cell.note);
          }
        }
      }
      return {};
    };
  },

  updateCells(req, shadow, ctx) {
    keys(req, ['rows', 'fields', 'start', 'range'], 'updateCells');
    if ((req.start === undefined) === (req.range === undefined)) fail('exactly one of start or range must be set');
    const rows = (req.rows ?? []) as unknown[];
    if (!Array.isArray(rows)) fail('rows must be a list');
    const parts = cellMask(mask(req.fields));
    let sheet: ShadowSheet;
    let r0: number;
    let c0: number;
    let r1: number | undefined;
    let c1: number | undefined;
    if (req.start !== undefined) {
      const st = obj(req.start, 'start');
      keys(st, ['sheetId', 'rowIndex', 'columnIndex'], 'start');
      sheet = shadow.sheet(st.sheetId);
      r0 = optInt(st.rowIndex, 'start.rowIndex') ?? 0;
      c0 = optInt(st.columnIndex, 'start.columnIndex') ?? 0;
    } else {
      const g = gridRange(shadow, req.range);
      ({ sheet, r0, c0, r1, c1 } = g);
    }
    const cells: Json[][] = rows.map((row, i) => {
      const rd = obj(row, `rows[${i}]`);
      const values = (rd.values ?? []) as unknown[];
      if (!Array.isArray(values)) fail(`rows[${i}].values must be a list`);
      return values.map((v, j) => {
        const cd = obj(v ?? {}, `rows[${i}].values[${j}]`);
        checkExtendedValue(cd.userEnteredValue, `rows[${i}].values[${j}].userEnteredValue`);
        if (cd.dataValidation !== undefined && parts.has('dataValidation')) {
          checkRule(cd.dataValidation, `rows[${i}].values[${j}].dataValidation`);
        }
        return cd;
      });
    });
    const height = cells.length;
    const width = cells.reduce((m, r) => Math.max(m, r.length), 0);
    if (r1 !== undefined && r0 + height > r1) fail(`rows: ${height} rows do not fit in the range`);
    if (c1 !== undefined && c0 + width > c1) fail(`rows: ${width} columns do not fit in the range`);
    if (r0 + height > sheet.rowCount || c0 + width > sheet.columnCount) {
      fail(`Range exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
    }
    const endR = r1 ?? r0 + height;
    const endC = c1;
    return (model) => {
      const s = sheetOf(model, sheet.sheetId);
      for (let r = r0; r < endR; r++) {
        const rowCells = cells[r - r0] ?? [];
        const lastC = endC ?? c0 + rowCells.length;
        for (let c = c0; c < lastC; c++) {
          const cd = rowCells[c - c0] ?? {};
          if (parts.has('userEnteredValue'))
            writeExtendedValue(s, r, c, cd.userEnteredValue as Json | undefined, ctx, model);
          if (parts.has('userEnteredFormat')) {
            s.setCellFormat(r, c, (cd.userEnteredFormat as Json | undefined) ?? {}, parts.get('userEnteredFormat')!);
          }
          if (parts.has('dataValidation')) {
            s.setValidation(
              { sheetId: s.sheetId, startRowIndex: r, endRowIndex: r + 1, startColumnIndex: c, endColumnIndex: c + 1 },
              (cd.dataValidation as Json | undefined) ?? null,
            );
          }
          if (parts.has('note')) setNote(s, r, c, cd.note);
        }
      }
      return {};
    };
  },

  updateDimensionProperties(req, shadow) {
    keys(req, ['range', 'properties', 'fields', 'dataSourceSheetRange'], 'updateDimensionProperties');
    if (req.dataSourceSheetRange !== undefined) fail('dataSourceSheetRange is not supported by the Sheets emulator');
    const d = dimensionRange(shadow, req.range);
    const props = obj(req.properties, 'properties');
    keys(
      props,
      ['pixelSize', 'hiddenByUser', 'hiddenByFilter', 'developerMetadata', 'dataSourceColumnReference'],
      'properties',
    );
    const tree = mask(req.fields);
    return (model) => {
      const s = sheetOf(model, d.sheet.sheetId);
      s.dimensionProps = s.dimensionProps.filter(
        (l) => !(l.dimension === d.dim && l.startIndex >= d.start && l.endIndex <= d.end && tree === null),
      );
      s.dimensionProps.push({ dimension: d.dim, startIndex: d.start, endIndex: d.end, properties: clone(props), tree });
      return {};
    };
  },

  autoResizeDimensions(req, shadow) {
    keys(req, ['dimensions', 'dataSourceSheetDimensions'], 'autoResizeDimensions');
    dimensionRange(shadow, req.dimensions, 'dimensions');
    return () => ({});
  },

  appendDimension(req, shadow) {
    keys(req, ['sheetId', 'dimension', 'length'], 'appendDimension');
    const s = shadow.sheet(req.sheetId);
    const dim = dimension(req.dimension, 'dimension');
    const length = int(req.length, 'length', 1);
    if (dim === 'ROWS') s.rowCount += length;
    else s.columnCount += length;
    return (model) => {
      const sheet = sheetOf(model, s.sheetId);
      if (dim === 'ROWS') sheet.rowCount += length;
      else sheet.columnCount += length;
      return {};
    };
  },

  insertDimension(req, shadow) {
    keys(req, ['range', 'inheritFromBefore'], 'insertDimension');
    const d = dimensionRange(shadow, req.range, 'range', true);
    if (req.inheritFromBefore === true && d.start === 0)
      fail('Cannot inherit properties from before the first row/column');
    const count = d.end - d.start;
    if (d.dim === 'ROWS') d.sheet.rowCount += count;
    else d.sheet.columnCount += count;
    return (model) => {
      model.insertDimension(sheetOf(model, d.sheet.sheetId), d.dim, d.start, count);
      return {};
    };
  },

  deleteDimension(req, shadow) {
    keys(req, ['range'], 'deleteDimension');
    const d = dimensionRange(shadow, req.range);
    const count = d.end - d.start;
    const total = d.dim === 'ROWS' ? d.sheet.rowCount : d.sheet.columnCount;
    if (count >= total) fail(`You can't delete all the ${d.dim === 'ROWS' ? 'rows' : 'columns'} on the sheet.`);
    if (d.dim === 'ROWS') {
      d.sheet.rowCount -= count;
      d.sheet.frozenRowCount = Math.min(d.sheet.frozenRowCount, d.sheet.rowCount);
    } else {
      d.sheet.columnCount -= count;
      d.sheet.frozenColumnCount = Math.min(d.sheet.frozenColumnCount, d.sheet.columnCount);
    }
    return (model) => {
      model.deleteDimension(sheetOf(model, d.sheet.sheetId), d.dim, d.start, count);
      return {};
    };
  },

  sortRange(req, shadow) {
    keys(req, ['range', 'sortSpecs'], 'sortRange');
    const { sheet, r0, r1, c0, c1 } = gridRange(shadow, req.range);
    if (!Array.isArray(req.sortSpecs) || req.sortSpecs.length === 0) fail('sortSpecs must not be empty');
    const specs = (req.sortSpecs as unknown[]).map((raw, i) => {
      const spec = obj(raw, `sortSpecs[${i}]`);
      keys(spec, ['dimensionIndex', 'sortOrder'], `sortSpecs[${i}]`);
      const column = int(spec.dimensionIndex, `sortSpecs[${i}].dimensionIndex`);
      if (column < c0 || column >= c1) fail(`sortSpecs[${i}].dimensionIndex[${column}] is outside the range`);
      const order = spec.sortOrder ?? 'ASCENDING';
      if (order !== 'ASCENDING' && order !== 'DESCENDING')
        fail(`sortSpecs[${i}].sortOrder must be ASCENDING or DESCENDING`);
      return { column, descending: order === 'DESCENDING' };
    });
    return (model) => {
      sheetOf(model, sheet.sheetId).sortRows(r0, r1, c0, c1, specs);
      return {};
    };
  },

  createDeveloperMetadata(req, shadow) {
    keys(req, ['developerMetadata'], 'createDeveloperMetadata');
    const md = obj(req.developerMetadata, 'developerMetadata');
    keys(md, ['metadataId', 'metadataKey', 'metadataValue', 'location', 'visibility'], 'developerMetadata');
    const key = str(md.metadataKey, 'developerMetadata.metadataKey');
    if (md.metadataValue !== undefined && typeof md.metadataValue !== 'string')
      fail('developerMetadata.metadataValue must be a string');
    if (md.visibility !== 'DOCUMENT' && md.visibility !== 'PROJECT') {
      fail('developerMetadata.visibility must be DOCUMENT or PROJECT');
    }
    const location = locationOf(shadow, md.location, 'developerMetadata.location');
    let id: number;
    if (md.metadataId !== undefined) {
      id = int(md.metadataId, 'developerMetadata.metadataId');
      if (shadow.metadataIds.has(id)) fail(`Developer metadata with id ${id} already exists.`);
    } else id = shadow.allocId();
    shadow.metadataIds.add(id);
    const stored: Json = { metadataId: id, metadataKey: key, location, visibility: md.visibility };
    if (md.metadataValue !== undefined) stored.metadataValue = md.metadataValue;
    return (model) => {
      model.reserveId(id);
      model.developerMetadata.push(stored);
      return { createDeveloperMetadata: { developerMetadata: clone(stored) } };
    };
  },

  updateDeveloperMetadata(req, shadow) {
    keys(req, ['dataFilters', 'developerMetadata', 'fields'], 'updateDeveloperMetadata');
    if (!Array.isArray(req.dataFilters) || !req.dataFilters.length) fail('dataFilters must not be empty');
    const lookups = (req.dataFilters as unknown[]).map((f, i) => checkLookup(f, `dataFilters[${i}]`));
    const md = obj(req.developerMetadata, 'developerMetadata');
    const tree = mask(req.fields);
    if (tree === null || tree.has('metadataId')) return fail('metadataId cannot be updated');
    const location = tree.has('location') ? locationOf(shadow, md.location, 'developerMetadata.location') : undefined;
    return (model) => {
      const updated: Json[] = [];
      for (const item of model.developerMetadata) {
        if (!lookups.some((l) => matchesLookup(item, l))) continue;
        applyMasked(item, md, tree);
        if (location) item.location = clone(location);
        updated.push(clone(item));
      }
      return { updateDeveloperMetadata: { developerMetadata: updated } };
    };
  },

  deleteDeveloperMetadata(req) {
    keys(req, ['dataFilter'], 'deleteDeveloperMetadata');
    const lookup = checkLookup(req.dataFilter, 'dataFilter');
    return (model) => {
      const deleted = model.developerMetadata.filter((m) => matchesLookup(m, lookup));
      model.developerMetadata = model.developerMetadata.filter((m) => !matchesLookup(m, lookup));
      return { deleteDeveloperMetadata: { deletedDeveloperMetadata: deleted.map(clone) } };
    };
  },
};

function setNote(sheet: SheetModel, r: number, c: number, note: unknown): void {
  const row = sheet.row(r);
  if (typeof note === 'string' && note !== '') row.meta(c).note = note;
  else if (row.m?.[c]) {
    delete row.m[c]!.note;
    row.dropMetaIfEmpty(c);
    row.trim();
  }
}

export const SUPPORTED_REQUESTS = Object.keys(handlers);

export interface UnknownRequestType {
  index: number;
  type: string;
}

/**
 * Validates and applies a batchUpdate. Throws ApiError (nothing applied) on the first invalid
 * request; calls onUnknown for request types the emulator does not implement before failing.
 */
export function runBatchUpdate(
  model: SpreadsheetModel,
  requests: unknown,
  ctx: BatchContext,
  onUnknown: (u: UnknownRequestType) => void,
): Json[] {
  if (requests === undefined || (Array.isArray(requests) && requests.length === 0)) {
    throw invalid('Must specify at least one request.');
  }
  if (!Array.isArray(requests)) throw invalid("Invalid value at 'requests': must be a list");
  const shadow = new Shadow(model);
  const plan: Apply[] = [];
  requests.forEach((raw, i) => {
    if (!isObject(raw)) throw invalid(`Invalid requests[${i}]: must be an object`);
    const kinds = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null);
    if (kinds.length !== 1) {
      throw invalid(
        `Invalid requests[${i}]: exactly one request type must be set, found ${kinds.length ? kinds.join(', ') : 'none'}`,
      );
    }
    const kind = kinds[0]!;
    const handler = Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
    if (!handler) {
      onUnknown({ index: i, type: kind });
      throw invalid(
        `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field. ` +
          `(Sheets emulator: request type not implemented; supported: ${SUPPORTED_REQUESTS.join(', ')})`,
      );
    }
    try {
      const body = raw[kind];
      const cellsBefore = shadow.cellCount();
      plan.push(handler(isObject(body) ? body : fail(`${kind} must be an object`), shadow, ctx));
      // The limit is on the whole spreadsheet: a request that grows any grid past it fails.
      const cells = shadow.cellCount();
      if (cells > cellsBefore && cells > shadow.cellLimit) fail(cellLimitMessage(shadow.cellLimit));
    } catch (e) {
      if (e instanceof RequestError) throw invalid(`Invalid requests[${i}].${kind}: ${e.message}`);
      throw e;
    }
  });
  return plan.map((apply) => apply(model));
}
