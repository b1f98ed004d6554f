/**
 * In-memory spreadsheet model behind the Sheets emulator.
 *
 * Storage is built for big sheets: a sheet is an array of rows, a row holds a
 * plain array of scalar values (strings, numbers, booleans) plus, only when
 * needed, a parallel array of per-cell metadata (formula, cell-level format,
 * note). 100,000 rows × 33 columns is a few hundred MB at most and a full read
 * is a single linear pass.
 *
 * Range-wide properties are stored as ranges, not per cell, like a user applying
 * them to whole columns: data validation rules, formats set by RepeatCellRequest,
 * dimension properties, protected ranges, conditional format rules. Inserting or
 * deleting rows/columns shifts, grows or shrinks those ranges; sorting moves the
 * rows with their values and cell-level metadata (range-wide rules stay where
 * they are, which matches rules that cover whole columns).
 */
import { cellA1, format as formatA1 } from './a1.ts';
import {
  ERROR_TYPES,
  formatNumber,
  parseUserEntered,
  renderValue,
  type DateTimeRenderOption,
  type NumberFormat,
  type Scalar,
  type ValueInputOption,
  type ValueRenderOption,
} from './values.ts';

export type Json = Record<string, unknown>;

export interface GridRange {
  sheetId?: number;
  startRowIndex?: number;
  endRowIndex?: number;
  startColumnIndex?: number;
  endColumnIndex?: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly status: string;
  readonly details: Json[] | undefined;
  readonly headers: Record<string, string>;
  constructor(code: number, status: string, message: string, details?: Json[], headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

export const invalid = (message: string): ApiError => new ApiError(400, 'INVALID_ARGUMENT', message);

/** Google's limit on the cells of one spreadsheet: every tab's whole grid, empty cells included. */
export const GOOGLE_CELL_LIMIT = 10_000_000;

/** The cells of these grids together, as Google counts them against its limit. */
export const gridCells = (sheets: readonly { rowCount: number; columnCount: number }[]): number =>
  sheets.reduce((n, s) => n + s.rowCount * s.columnCount, 0);

/** Google's words when a change would grow a spreadsheet's grids past its cell limit. */
export const cellLimitMessage = (limit: number): string =>
  `This action would increase the number of cells in the workbook above the limit of ${limit} cells.`;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

// ---------------------------------------------------------------------------
// Field masks (`fields=sheets(properties,protectedRanges)`, `gridProperties.frozenRowCount`, `*`)

/** null = the whole subtree is selected. */
export type FieldTree = Map<string, FieldTree | null> | null;

export function parseFieldMask(mask: string): FieldTree {
  let i = 0;
  const text = mask.replace(/\s+/g, '');
  const merge = (tree: Map<string, FieldTree | null>, path: string[], sub: FieldTree): void => {
    let node = tree;
    for (let k = 0; k < path.length; k++) {
      const key = path[k]!;
      const last = k === path.length - 1;
      if (node.has(key) && node.get(key) === null) return; // already whole
      if (last) {
        if (sub === null) node.set(key, null);
        else {
          const existing = node.get(key);
          if (existing instanceof Map) for (const [sk, sv] of sub) mergeInto(existing, sk, sv);
          else node.set(key, sub);
        }
        return;
      }
      let next = node.get(key);
      if (!(next instanceof Map)) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
    }
  };
  const mergeInto = (tree: Map<string, FieldTree | null>, key: string, sub: FieldTree | null): void =>
    merge(tree, [key], sub);
  const parseList = (): FieldTree => {
    const tree = new Map<string, FieldTree | null>();
    let whole = false;
    for (;;) {
      const start = i;
      while (i < text.length && !',()'.includes(text[i]!)) i++;
      const path = text.slice(start, i);
      let sub: FieldTree = null;
      if (text[i] === '(') {
        i++;
        sub = parseList();
        if (text[i] !== ')') throw invalid(`Invalid field mask: ${mask}`);
        i++;
      }
      if (path === '*') whole = true;
      else if (path !== '') merge(tree, path.split('.'), sub);
      else throw invalid(`Invalid field mask: ${mask}`);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    return whole ? null : tree;
  };
  const tree = parseList();
  if (i !== text.length) throw invalid(`Invalid field mask: ${mask}`);
  return tree;
}

/** Keeps only the masked fields of a JSON value (arrays are projected element-wise). */
export function projectFields(value: unknown, tree: FieldTree): unknown {
  if (tree === null) return value;
  if (Array.isArray(value)) return value.map((v) => projectFields(v, tree));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, sub] of tree) if (value[key] !== undefined) out[key] = projectFields(value[key], sub);
  return out;
}

export function maskSelects(tree: FieldTree, path: string[]): boolean {
  let node: FieldTree = tree;
  for (const key of path) {
    if (node === null) return true;
    if (!node.has(key)) return false;
    node = node.get(key)!;
  }
  return true;
}

/** Copies the masked fields from `source` into `target` (absent in source = removed from target). */
export function applyMasked(target: Json, source: Json, tree: Map<string, FieldTree | null>): void {
  for (const [key, sub] of tree) {
    const sv = source[key];
    if (sub === null) {
      if (sv === undefined) delete target[key];
      else target[key] = clone(sv);
    } else {
      const tv = isObject(target[key]) ? (target[key] as Json) : {};
      applyMasked(tv, isObject(sv) ? sv : {}, sub);
      if (Object.keys(tv).length) target[key] = tv;
      else delete target[key];
    }
  }
}

function deepMerge(target: Json, source: Json): Json {
  for (const [k, v] of Object.entries(source)) {
    if (isObject(v) && isObject(target[k])) target[k] = deepMerge({ ...(target[k] as Json) }, v);
    else target[k] = clone(v);
  }
  return target;
}

// ---------------------------------------------------------------------------
// Ranges

export function rangeContains(g: GridRange, r: number, c: number): boolean {
  return (
    r >= (g.startRowIndex ?? 0) &&
    r < (g.endRowIndex ?? Infinity) &&
    c >= (g.startColumnIndex ?? 0) &&
    c < (g.endColumnIndex ?? Infinity)
  );
}

export function rangesIntersect(a: GridRange, b: GridRange): boolean {
  return (
    Math.max(a.startRowIndex ?? 0, b.startRowIndex ?? 0) <
      Math.min(a.endRowIndex ?? Infinity, b.endRowIndex ?? Infinity) &&
    Math.max(a.startColumnIndex ?? 0, b.startColumnIndex ?? 0) <
      Math.min(a.endColumnIndex ?? Infinity, b.endColumnIndex ?? Infinity)
  );
}

export function rangeWithin(inner: GridRange, outer: GridRange): boolean {
  return (
    (inner.startRowIndex ?? 0) >= (outer.startRowIndex ?? 0) &&
    (inner.endRowIndex ?? Infinity) <= (outer.endRowIndex ?? Infinity) &&
    (inner.startColumnIndex ?? 0) >= (outer.startColumnIndex ?? 0) &&
    (inner.endColumnIndex ?? Infinity) <= (outer.endColumnIndex ?? Infinity)
  );
}

export type Dimension = 'ROWS' | 'COLUMNS';

const KEYS = {
  ROWS: ['startRowIndex', 'endRowIndex'],
  COLUMNS: ['startColumnIndex', 'endColumnIndex'],
} as const;

/** Shifts a range for `count` rows/columns inserted before index `at`. Mutates. */
export function insertIntoRange(g: GridRange, dim: Dimension, at: number, count: number): void {
  const [sk, ek] = KEYS[dim];
  const s = g[sk];
  const e = g[ek];
  if (s !== undefined && s >= at) g[sk] = s + count;
  if (e !== undefined && e > at) g[ek] = e + count;
}

/** Shrinks a range for rows/columns [at, at+count) deleted. Returns false if nothing is left. Mutates. */
export function deleteFromRange(g: GridRange, dim: Dimension, at: number, count: number): boolean {
  const [sk, ek] = KEYS[dim];
  const end = at + count;
  const fix = (x: number): number => (x <= at ? x : x <= end ? at : x - count);
  const s = g[sk];
  const e = g[ek];
  if (s !== undefined) g[sk] = fix(s);
  if (e !== undefined) g[ek] = fix(e);
  return (g[ek] ?? Infinity) > (g[sk] ?? 0);
}

// ---------------------------------------------------------------------------
// Cells and sheets

export interface CellMeta {
  formula?: string;
  error?: { type: string; message: string };
  /** Cell-level userEnteredFormat fields (later than any range format covering the cell). */
  format?: Json;
  note?: string;
}

export class Row {
  v: (Scalar | undefined)[] = [];
  m: (CellMeta | undefined)[] | undefined = undefined;

  trim(): void {
    const v = this.v;
    while (v.length && v[v.length - 1] === undefined) v.pop();
    const m = this.m;
    if (m) {
      while (m.length && m[m.length - 1] === undefined) m.pop();
      if (!m.length) this.m = undefined;
    }
  }

  isEmpty(): boolean {
    return this.v.length === 0 && this.m === undefined;
  }

  meta(c: number): CellMeta {
    if (!this.m) this.m = [];
    let cm = this.m[c];
    if (!cm) {
      cm = {};
      this.m[c] = cm;
    }
    return cm;
  }

  dropMetaIfEmpty(c: number): void {
    const cm = this.m?.[c];
    if (cm && cm.formula === undefined && cm.format === undefined && cm.note === undefined) this.m![c] = undefined;
  }
}

interface FormatLayer {
  range: GridRange;
  format: Json;
  /** null = the whole userEnteredFormat is replaced. */
  tree: FieldTree;
}

interface ValidationLayer {
  range: GridRange;
  rule: Json | null;
}

interface DimensionLayer {
  dimension: Dimension;
  startIndex: number;
  endIndex: number;
  properties: Json;
  tree: FieldTree;
}

export type FormulaEvaluator = (
  formula: string,
  where: { spreadsheetId: string; sheet: string; a1: string },
) => Scalar | { error: string };

export const defaultFormulaEvaluator: FormulaEvaluator = () => ({ error: '#NAME?' });

export class SheetModel {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  frozenRowCount = 0;
  frozenColumnCount = 0;
  hidden = false;
  /** Other SheetProperties fields set through the API (tabColor, rightToLeft, gridProperties.hideGridlines...). */
  extraProps: Json = {};
  extraGridProps: Json = {};
  rows: (Row | undefined)[] = [];
  protectedRanges: Json[] = [];
  conditionalFormats: Json[] = [];
  charts: Json[] = [];
  validations: ValidationLayer[] = [];
  formats: FormatLayer[] = [];
  dimensionProps: DimensionLayer[] = [];

  constructor(sheetId: number, title: string, rowCount = 1000, columnCount = 26) {
    this.sheetId = sheetId;
    this.title = title;
    this.rowCount = rowCount;
    this.columnCount = columnCount;
  }

  row(r: number): Row {
    let row = this.rows[r];
    if (!row) {
      row = new Row();
      this.rows[r] = row;
    }
    return row;
  }

  /** Index + 1 of the last row holding a value (0 when the sheet has no values). */
  lastValueRow(): number {
    for (let r = this.rows.length - 1; r >= 0; r--) if (this.rows[r]?.v.length) return r + 1;
    return 0;
  }

  /** Index + 1 of the last row holding a value or cell metadata. */
  lastContentRow(): number {
    for (let r = this.rows.length - 1; r >= 0; r--) {
      const row = this.rows[r];
      if (row && !row.isEmpty()) return r + 1;
    }
    return 0;
  }

  // --- formats -----------------------------------------------------------

  private nfCache: { formats: FormatLayer[]; length: number; layers: FormatLayer[] } | undefined;

  /** Range formats touching numberFormat, newest last (cached until the format list changes). */
  numberFormatLayers(): FormatLayer[] {
    const c = this.nfCache;
    if (c && c.formats === this.formats && c.length === this.formats.length) return c.layers;
    const layers = this.formats.filter((l) => l.tree === null || maskSelects(l.tree, ['numberFormat']));
    this.nfCache = { formats: this.formats, length: this.formats.length, layers };
    return layers;
  }

  numberFormatAt(r: number, c: number, layers = this.numberFormatLayers()): NumberFormat | undefined {
    const cellFormat = this.rows[r]?.m?.[c]?.format;
    if (cellFormat && 'numberFormat' in cellFormat) return cellFormat.numberFormat as NumberFormat | undefined;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i]!;
      if (rangeContains(l.range, r, c)) return l.format.numberFormat as NumberFormat | undefined;
    }
    return undefined;
  }

  effectiveFormat(r: number, c: number): Json | undefined {
    let out: Json = {};
    for (const l of this.formats) {
      if (!rangeContains(l.range, r, c)) continue;
      if (l.tree === null) out = clone(l.format);
      else applyMasked(out, l.format, l.tree);
    }
    const cellFormat = this.rows[r]?.m?.[c]?.format;
    if (cellFormat) out = deepMerge(out, cellFormat);
    return Object.keys(out).length ? out : undefined;
  }

  /** RepeatCell/UpdateCells style: set `tree` fields of userEnteredFormat over a range. */
  setRangeFormat(range: GridRange, format: Json, tree: FieldTree): void {
    // Newer range format wins over older cell-level values of the same fields.
    const r0 = range.startRowIndex ?? 0;
    const r1 = Math.min(range.endRowIndex ?? this.rowCount, this.rows.length);
    const c0 = range.startColumnIndex ?? 0;
    for (let r = r0; r < r1; r++) {
      const row = this.rows[r];
      if (!row?.m) continue;
      const c1 = Math.min(range.endColumnIndex ?? Infinity, row.m.length);
      for (let c = c0; c < c1; c++) {
        const cm = row.m[c];
        if (!cm?.format) continue;
        if (tree === null) delete cm.format;
        else {
          applyMasked(cm.format, {}, tree);
          if (!Object.keys(cm.format).length) delete cm.format;
        }
        row.dropMetaIfEmpty(c);
      }
      row.trim();
    }
    this.formats = this.formats.filter(
      (l) => !(rangeWithin(l.range, range) && (tree === null || (l.tree !== null && treeCovers(tree, l.tree)))),
    );
    this.formats.push({ range: { ...range }, format: clone(format), tree });
  }

  /** Cell-level format fields (UpdateCells on one cell, USER_ENTERED auto-detected formats). */
  setCellFormat(r: number, c: number, format: Json, tree: FieldTree): void {
    const row = this.row(r);
    const cm = row.meta(c);
    if (tree === null) {
      // Replace everything: shadow all range formats for this cell.
      cm.format = clone(format);
      for (const l of this.formats) {
        if (!rangeContains(l.range, r, c)) continue;
        for (const key of l.tree === null ? Object.keys(l.format) : l.tree.keys()) {
          if (!(key in cm.format)) cm.format[key] = undefined;
        }
      }
    } else {
      cm.format ??= {};
      applyMasked(cm.format, format, tree);
      // A field explicitly cleared at cell level must still hide range formats.
      for (const key of tree.keys()) if (!(key in cm.format)) cm.format[key] = undefined;
    }
  }

  hasExplicitNumberFormat(r: number, c: number): boolean {
    return this.numberFormatAt(r, c) !== undefined;
  }

  // --- validations ---------------------------------------------------------

  setValidation(range: GridRange, rule: Json | null): void {
    // Older rules entirely under the new one are gone; partially covered ones are shadowed.
    this.validations = this.validations.filter((l) => !rangeWithin(l.range, range));
    if (rule !== null || this.validations.some((l) => rangesIntersect(l.range, range))) {
      this.validations.push({ range: { ...range }, rule: rule ? clone(rule) : null });
    }
  }

  validationAt(r: number, c: number): Json | undefined {
    for (let i = this.validations.length - 1; i >= 0; i--) {
      const l = this.validations[i]!;
      if (rangeContains(l.range, r, c)) return l.rule ?? undefined;
    }
    return undefined;
  }

  // --- values --------------------------------------------------------------

  clearCell(r: number, c: number): void {
    const row = this.rows[r];
    if (!row) return;
    if (c < row.v.length) row.v[c] = undefined;
    const cm = row.m?.[c];
    if (cm) {
      delete cm.formula;
      delete cm.error;
      row.dropMetaIfEmpty(c);
    }
    row.trim();
  }

  /** Stores one input value (RAW or USER_ENTERED); "" clears the value but keeps formats and notes. */
  writeCell(
    r: number,
    c: number,
    input: Scalar,
    mode: ValueInputOption,
    evaluate: FormulaEvaluator,
    spreadsheetId: string,
  ): void {
    if (mode === 'RAW') {
      if (input === '') return this.clearCell(r, c);
      return this.setStored(r, c, input);
    }
    const parsed = parseUserEntered(input, this.numberFormatAt(r, c));
    if (parsed.kind === 'clear') return this.clearCell(r, c);
    if (parsed.kind === 'formula') {
      const result = evaluate(parsed.formula, { spreadsheetId, sheet: this.title, a1: cellA1(r, c) });
      const row = this.row(r);
      const cm = row.meta(c);
      cm.formula = parsed.formula;
      if (typeof result === 'object') {
        row.v[c] = result.error;
        cm.error = { type: ERROR_TYPES[result.error] ?? 'ERROR', message: `Formula error ${result.error}` };
      } else {
        row.v[c] = result;
        delete cm.error;
      }
      return;
    }
    this.setStored(r, c, parsed.value);
    if (parsed.numberFormat && !this.hasExplicitNumberFormat(r, c)) {
      const cm = this.row(r).meta(c);
      cm.format = { ...(cm.format ?? {}), numberFormat: parsed.numberFormat };
    }
  }

  private setStored(r: number, c: number, value: Scalar): void {
    const row = this.row(r);
    const v = row.v;
    while (v.length < c) v.push(undefined);
    v[c] = value;
    const cm = row.m?.[c];
    if (cm && (cm.formula !== undefined || cm.error !== undefined)) {
      delete cm.formula;
      delete cm.error;
      row.dropMetaIfEmpty(c);
      row.trim();
    }
  }

  /**
   * Values of [r0,r1) × [c0,c1), rows major, trailing empty rows and trailing empty
   * cells omitted (interior empty cells are "", interior empty rows are []).
   */
  readRows(
    r0: number,
    r1: number,
    c0: number,
    c1: number,
    render: ValueRenderOption,
    dateRender: DateTimeRenderOption,
  ): Scalar[][] {
    const out: Scalar[][] = [];
    const end = Math.min(r1, this.rows.length);
    const layers = this.numberFormatLayers();
    let keep = 0;
    for (let r = r0; r < end; r++) {
      const row = this.rows[r];
      const v = row?.v;
      let e = v ? Math.min(c1, v.length) : 0;
      while (e > c0 && v![e - 1] === undefined) e--;
      if (e <= c0) {
        out.push([]);
        continue;
      }
      const m = row!.m;
      const cells: Scalar[] = new Array<Scalar>(e - c0);
      for (let c = c0; c < e; c++) {
        const x = v![c];
        if (x === undefined) cells[c - c0] = '';
        else if (typeof x === 'string' && (render !== 'FORMULA' || m?.[c]?.formula === undefined)) cells[c - c0] = x;
        else {
          const fmt = typeof x === 'number' ? this.numberFormatAt(r, c, layers) : undefined;
          cells[c - c0] = renderValue(x, m?.[c]?.formula, fmt, render, dateRender);
        }
      }
      out.push(cells);
      keep = out.length;
    }
    out.length = keep;
    return out;
  }

  // --- rows and columns ------------------------------------------------------

  /** All GridRange-bearing objects of this sheet, for shifting on insert/delete. */
  private eachRange(fn: (g: GridRange) => boolean): void {
    this.validations = this.validations.filter((l) => fn(l.range));
    this.formats = this.formats.filter((l) => fn(l.range));
    this.protectedRanges = this.protectedRanges.filter((p) => {
      const keep = fn(p.range as GridRange);
      if (Array.isArray(p.unprotectedRanges)) p.unprotectedRanges = (p.unprotectedRanges as GridRange[]).filter(fn);
      return keep;
    });
    this.conditionalFormats = this.conditionalFormats.filter((rule) => {
      rule.ranges = (rule.ranges as GridRange[]).filter(fn);
      return (rule.ranges as GridRange[]).length > 0;
    });
  }

  insertDimension(dim: Dimension, at: number, count: number): void {
    if (dim === 'ROWS') {
      if (at < this.rows.length) this.rows.splice(at, 0, ...new Array<Row | undefined>(count));
      this.rowCount += count;
    } else {
      for (const row of this.rows) {
        if (!row) continue;
        if (at < row.v.length) row.v.splice(at, 0, ...new Array<Scalar | undefined>(count));
        if (row.m && at < row.m.length) row.m.splice(at, 0, ...new Array<CellMeta | undefined>(count));
      }
      this.columnCount += count;
    }
    this.eachRange((g) => {
      insertIntoRange(g, dim, at, count);
      return true;
    });
    for (const l of this.dimensionProps) {
      if (l.dimension !== dim) continue;
      if (l.startIndex >= at) l.startIndex += count;
      if (l.endIndex > at) l.endIndex += count;
    }
    if (dim === 'ROWS' && at < this.frozenRowCount) this.frozenRowCount += count;
    if (dim === 'COLUMNS' && at < this.frozenColumnCount) this.frozenColumnCount += count;
  }

  deleteDimension(dim: Dimension, at: number, count: number): void {
    if (dim === 'ROWS') {
      if (at < this.rows.length) this.rows.splice(at, count);
      this.rowCount -= count;
      this.frozenRowCount = Math.min(this.frozenRowCount, this.rowCount);
    } else {
      for (const row of this.rows) {
        if (!row) continue;
        if (at < row.v.length) row.v.splice(at, count);
        if (row.m && at < row.m.length) row.m.splice(at, count);
        row.trim();
      }
      this.columnCount -= count;
      this.frozenColumnCount = Math.min(this.frozenColumnCount, this.columnCount);
    }
    this.eachRange((g) => deleteFromRange(g, dim, at, count));
    this.dimensionProps = this.dimensionProps.filter((l) => {
      if (l.dimension !== dim) return true;
      const g: GridRange = { startRowIndex: l.startIndex, endRowIndex: l.endIndex };
      const keep = deleteFromRange(g, 'ROWS', at, count);
      l.startIndex = g.startRowIndex!;
      l.endIndex = g.endRowIndex!;
      return keep;
    });
  }

  /** Sorts rows [r0, r1) by the given columns; only columns [c0, c1) move unless the range spans all columns. */
  sortRows(r0: number, r1: number, c0: number, c1: number, specs: { column: number; descending: boolean }[]): void {
    const end = Math.min(r1, Math.max(this.rows.length, r0));
    if (end - r0 < 2) return;
    const wholeRows = c0 === 0 && c1 >= this.columnCount;
    const slice = this.rows.slice(r0, end);
    while (slice.length < end - r0) slice.push(undefined);
    const keyed = slice.map((row, i) => ({ row, i }));
    keyed.sort((a, b) => {
      for (const spec of specs) {
        const cmp = compareForSort(a.row?.v[spec.column], b.row?.v[spec.column], spec.descending);
        if (cmp !== 0) return cmp;
      }
      return a.i - b.i;
    });
    if (wholeRows) {
      keyed.forEach((k, i) => (this.rows[r0 + i] = k.row));
      return;
    }
    // Partial-width sort: move only the cells inside [c0, c1).
    const cellsOf = keyed.map((k) => {
      const vals: (Scalar | undefined)[] = [];
      const metas: (CellMeta | undefined)[] = [];
      for (let c = c0; c < c1; c++) {
        vals.push(k.row?.v[c]);
        metas.push(k.row?.m?.[c]);
      }
      return { vals, metas };
    });
    cellsOf.forEach((cells, i) => {
      const row = this.row(r0 + i);
      for (let c = c0; c < c1; c++) {
        const val = cells.vals[c - c0];
        const meta = cells.metas[c - c0];
        if (val !== undefined || c < row.v.length) {
          while (row.v.length < c) row.v.push(undefined);
          row.v[c] = val;
        }
        if (meta !== undefined || (row.m && c < row.m.length)) {
          row.m ??= [];
          row.m[c] = meta;
        }
      }
      row.trim();
    });
  }

  // --- API shapes --------------------------------------------------------------

  properties(index: number): Json {
    const grid: Json = { rowCount: this.rowCount, columnCount: this.columnCount };
    if (this.frozenRowCount) grid.frozenRowCount = this.frozenRowCount;
    if (this.frozenColumnCount) grid.frozenColumnCount = this.frozenColumnCount;
    Object.assign(grid, clone(this.extraGridProps));
    const props: Json = { sheetId: this.sheetId, title: this.title, index, sheetType: 'GRID', gridProperties: grid };
    if (this.hidden) props.hidden = true;
    Object.assign(props, clone(this.extraProps));
    return props;
  }

  /** GridData for [r0,r1) × [c0,c1), like spreadsheets.get with includeGridData. */
  gridData(
    r0: number,
    r1: number,
    c0: number,
    c1: number,
    dimensionMetadata: (dim: Dimension, i: number) => Json,
  ): Json {
    let lastRow = Math.min(r1, this.lastContentRow());
    for (const l of [...this.validations, ...this.formats]) {
      if ((l.range.startColumnIndex ?? 0) >= c1 || (l.range.endColumnIndex ?? Infinity) <= c0) continue;
      lastRow = Math.max(lastRow, Math.min(r1, l.range.endRowIndex ?? this.rowCount));
    }
    const rowData: Json[] = [];
    for (let r = r0; r < lastRow; r++) {
      const values: Json[] = [];
      let keep = 0;
      for (let c = c0; c < c1; c++) {
        const cd = this.cellData(r, c);
        values.push(cd);
        if (Object.keys(cd).length) keep = values.length;
      }
      values.length = keep;
      rowData.push(keep ? { values } : {});
    }
    const data: Json = {};
    if (r0) data.startRow = r0;
    if (c0) data.startColumn = c0;
    if (rowData.length) data.rowData = rowData;
    const rowMetadata: Json[] = [];
    for (let r = r0; r < r1; r++) rowMetadata.push(dimensionMetadata('ROWS', r));
    const columnMetadata: Json[] = [];
    for (let c = c0; c < c1; c++) columnMetadata.push(dimensionMetadata('COLUMNS', c));
    data.rowMetadata = rowMetadata;
    data.columnMetadata = columnMetadata;
    return data;
  }

  dimensionPropertiesAt(dim: Dimension, i: number): Json {
    let out: Json = { pixelSize: dim === 'ROWS' ? 21 : 100 };
    for (const l of this.dimensionProps) {
      if (l.dimension !== dim || i < l.startIndex || i >= l.endIndex) continue;
      if (l.tree === null) out = { ...out, ...clone(l.properties) };
      else applyMasked(out, l.properties, l.tree);
    }
    return out;
  }

  cellData(r: number, c: number): Json {
    const cd: Json = {};
    const row = this.rows[r];
    const v = row?.v[c];
    const meta = row?.m?.[c];
    if (v !== undefined) {
      const ev = extendedValue(v);
      cd.userEnteredValue = meta?.formula !== undefined ? { formulaValue: meta.formula } : ev;
      cd.effectiveValue = meta?.error ? { errorValue: { ...meta.error } } : ev;
      cd.formattedValue =
        typeof v === 'number'
          ? formatNumber(v, this.numberFormatAt(r, c))
          : typeof v === 'boolean'
            ? String(v).toUpperCase()
            : v;
    }
    const fmt = this.effectiveFormat(r, c);
    if (fmt) {
      const cleaned = JSON.parse(JSON.stringify(fmt)) as Json;
      if (Object.keys(cleaned).length) {
        cd.userEnteredFormat = cleaned;
        cd.effectiveFormat = clone(cleaned);
      }
    }
    if (meta?.note !== undefined) cd.note = meta.note;
    const dv = this.validationAt(r, c);
    if (dv) cd.dataValidation = clone(dv);
    return cd;
  }
}

function treeCovers(outer: Map<string, FieldTree | null>, inner: Map<string, FieldTree | null>): boolean {
  for (const [k, sub] of inner) {
    if (!outer.has(k)) return false;
    const o = outer.get(k)!;
    if (o === null) continue;
    if (sub === null || !treeCovers(o, sub)) return false;
  }
  return true;
}

export function extendedValue(v: Scalar): Json {
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return { stringValue: v };
}

/** Sheets sort order: numbers, then text (case-insensitive), then booleans; blanks always last. */
export function compareForSort(a: Scalar | undefined, b: Scalar | undefined, descending: boolean): number {
  const blankA = a === undefined || a === '';
  const blankB = b === undefined || b === '';
  if (blankA || blankB) return blankA === blankB ? 0 : blankA ? 1 : -1;
  const rank = (x: Scalar): number => (typeof x === 'number' ? 0 : typeof x === 'string' ? 1 : 2);
  let cmp = rank(a) - rank(b);
  if (cmp === 0) {
    if (typeof a === 'number') cmp = a - (b as number);
    else if (typeof a === 'string') {
      const la = a.toLowerCase();
      const lb = (b as string).toLowerCase();
      cmp = la < lb ? -1 : la > lb ? 1 : 0;
    } else cmp = Number(a) - Number(b);
  }
  return descending ? -cmp : cmp;
}

export class SpreadsheetModel {
  readonly id: string;
  title: string;
  locale = 'en_US';
  timeZone = 'Etc/GMT';
  extraProps: Json = {};
  sheets: SheetModel[] = [];
  /** All developer metadata, whatever its location. */
  developerMetadata: Json[] = [];
  deniedAll = false;
  deniedEmails = new Set<string>();
  /** The most cells its grids may hold together (Google: 10 million); tests set a smaller one. */
  cellLimit = GOOGLE_CELL_LIMIT;
  private nextId = 1_000_001;

  constructor(id: string, title: string) {
    this.id = id;
    this.title = title;
  }

  newId(): number {
    return this.nextId++;
  }

  /** The cells of every tab's grid, as Google counts them against the limit. */
  cellCount(): number {
    return gridCells(this.sheets);
  }

  /** The id newId() would hand out next, without taking it. */
  peekId(): number {
    return this.nextId;
  }

  reserveId(id: number): void {
    if (id >= this.nextId) this.nextId = id + 1;
  }

  sheetById(id: number): SheetModel | undefined {
    return this.sheets.find((s) => s.sheetId === id);
  }

  sheetByTitle(title: string): SheetModel | undefined {
    const lower = title.toLowerCase();
    return this.sheets.find((s) => s.title.toLowerCase() === lower);
  }

  /** Insert/delete rows or columns, keeping every range in the spreadsheet in step. */
  insertDimension(sheet: SheetModel, dim: Dimension, at: number, count: number): void {
    sheet.insertDimension(dim, at, count);
    for (const md of this.developerMetadata) {
      const dr = (md.location as Json | undefined)?.dimensionRange as Json | undefined;
      if (!dr || dr.sheetId !== sheet.sheetId || dr.dimension !== dim) continue;
      const g: GridRange = { startRowIndex: dr.startIndex as number, endRowIndex: dr.endIndex as number };
      insertIntoRange(g, 'ROWS', at, count);
      dr.startIndex = g.startRowIndex;
      dr.endIndex = g.endRowIndex;
    }
  }

  deleteDimension(sheet: SheetModel, dim: Dimension, at: number, count: number): void {
    sheet.deleteDimension(dim, at, count);
    this.developerMetadata = this.developerMetadata.filter((md) => {
      const dr = (md.location as Json | undefined)?.dimensionRange as Json | undefined;
      if (!dr || dr.sheetId !== sheet.sheetId || dr.dimension !== dim) return true;
      const g: GridRange = { startRowIndex: dr.startIndex as number, endRowIndex: dr.endIndex as number };
      const keep = deleteFromRange(g, 'ROWS', at, count);
      dr.startIndex = g.startRowIndex;
      dr.endIndex = g.endRowIndex;
      return keep;
    });
  }

  removeSheet(sheet: SheetModel): void {
    this.sheets = this.sheets.filter((s) => s !== sheet);
    this.developerMetadata = this.developerMetadata.filter((md) => {
      const loc = md.location as Json | undefined;
      const sid = loc?.sheetId ?? (loc?.dimensionRange as Json | undefined)?.sheetId;
      return sid !== sheet.sheetId;
    });
  }

  properties(): Json {
    return {
      title: this.title,
      locale: this.locale,
      autoRecalc: 'ON_CHANGE',
      timeZone: this.timeZone,
      ...clone(this.extraProps),
    };
  }

  /** A1 text for a range of a sheet (used in responses and messages). */
  a1(sheet: SheetModel, r0: number, c0: number, r1?: number, c1?: number): string {
    const range: { sheet: string; startRow: number; startCol: number; endRow?: number; endCol?: number } = {
      sheet: sheet.title,
      startRow: r0,
      startCol: c0,
    };
    if (r1 !== undefined) range.endRow = r1;
    if (c1 !== undefined) range.endCol = c1;
    return formatA1(range);
  }
}
