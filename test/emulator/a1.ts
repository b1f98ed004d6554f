/**
 * A1 notation, as the Google Sheets API understands it.
 *
 * Convention (same as the API's GridRange): every index is 0-based, starts are
 * inclusive and ends are exclusive. An absent end means "open": to the last row
 * (`A2:F`) or to the last column (`2:5`) of the sheet's grid.
 *
 *   parse("'Activity Log'!A2:F") → { sheet: 'Activity Log', startRow: 1, startCol: 0, endCol: 6 }
 *   parse('Sheet1!B3')           → { sheet: 'Sheet1', startRow: 2, startCol: 1, endRow: 3, endCol: 2 }
 *   parse('Proposals')           → { sheet: 'Proposals', startRow: 0, startCol: 0 }   (whole sheet)
 *   parse('A:Z')                 → { startRow: 0, startCol: 0, endCol: 26 }            (first sheet)
 *
 * Sheet names may be quoted (`'It''s'!A1`, a doubled quote escapes a quote) and,
 * like Google, unquoted names containing spaces are accepted (`Activity Log!A1`).
 * `$` absolute markers are ignored. A text without `!` is a cell reference when it
 * looks like one (`A1`, `A1:B2`, `A:B`, `2:5`), otherwise a sheet name; pass
 * `sheetNames` to let an existing sheet called e.g. `AB12` win, as Google does.
 */

export interface A1Range {
  /** Sheet title; undefined when the text named no sheet (the API then uses the first sheet). */
  sheet?: string;
  startRow: number;
  startCol: number;
  /** Exclusive; undefined = open-ended (to the last row of the grid). */
  endRow?: number;
  /** Exclusive; undefined = open-ended (to the last column of the grid). */
  endCol?: number;
}

export class A1ParseError extends Error {
  override name = 'A1ParseError';
}

/** Largest column Google Sheets accepts (ZZZ). */
export const MAX_COLUMNS = 18278;

/** 0 → 'A', 25 → 'Z', 26 → 'AA', 32 → 'AG'. */
export function columnToLetters(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`bad column index ${index}`);
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** 'A' → 0, 'Z' → 25, 'AA' → 26, 'ag' → 32. */
export function lettersToColumn(letters: string): number {
  if (!/^[A-Za-z]{1,3}$/.test(letters)) throw new A1ParseError(`bad column letters "${letters}"`);
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** A single cell, 0-based: (2, 1) → 'B3'. */
export function cellA1(row: number, col: number): string {
  return `${columnToLetters(col)}${row + 1}`;
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LOOKS_LIKE_CELL = /^[A-Za-z]{1,3}\d+$/;
const LOOKS_LIKE_R1C1 = /^[Rr]\d*[Cc]\d*$/;

/** Quote a sheet name when Google would: anything but a plain identifier that cannot be read as a cell. */
export function quoteSheetName(name: string): string {
  if (SIMPLE_NAME.test(name) && !LOOKS_LIKE_CELL.test(name) && !LOOKS_LIKE_R1C1.test(name)) return name;
  return `'${name.replace(/'/g, "''")}'`;
}

type Part = { col?: number; row?: number };

function parsePart(text: string): Part | undefined {
  const m = /^\$?([A-Za-z]{1,3})?\$?(\d+)?$/.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const part: Part = {};
  if (m[1] !== undefined) {
    part.col = lettersToColumn(m[1]);
    if (part.col >= MAX_COLUMNS) return undefined;
  }
  if (m[2] !== undefined) {
    const row = Number(m[2]);
    if (!Number.isSafeInteger(row) || row < 1) return undefined;
    part.row = row - 1;
  }
  return part;
}

/** Parses the part after `!`. Returns undefined if it is not a cell reference. */
function parseRef(ref: string): Omit<A1Range, 'sheet'> | undefined {
  const pieces = ref.split(':');
  if (pieces.length > 2) return undefined;
  const a = parsePart(pieces[0]!.trim());
  if (!a) return undefined;
  if (pieces.length === 1) {
    // A single part must be a full cell: a bare column or row is not a range on its own.
    if (a.col === undefined || a.row === undefined) return undefined;
    return { startRow: a.row, startCol: a.col, endRow: a.row + 1, endCol: a.col + 1 };
  }
  const b = parsePart(pieces[1]!.trim());
  if (!b) return undefined;
  const aCell = a.col !== undefined && a.row !== undefined;
  const bCell = b.col !== undefined && b.row !== undefined;
  const aColOnly = a.col !== undefined && a.row === undefined;
  const bColOnly = b.col !== undefined && b.row === undefined;
  const aRowOnly = a.row !== undefined && a.col === undefined;
  const bRowOnly = b.row !== undefined && b.col === undefined;
  // Accepted shapes: A1:B2, A2:F (rows open), B2:5 (columns open), A:Z, 2:5, A:B5 (rows from 1).
  const ok = (aCell && (bCell || bColOnly || bRowOnly)) || (aColOnly && (bColOnly || bCell)) || (aRowOnly && bRowOnly);
  if (!ok) return undefined;
  let startCol = a.col ?? 0;
  let endCol = b.col !== undefined ? b.col + 1 : undefined;
  let startRow = a.row ?? 0;
  let endRow = b.row !== undefined ? b.row + 1 : undefined;
  if (endCol !== undefined && endCol <= startCol) [startCol, endCol] = [endCol - 1, startCol + 1];
  if (endRow !== undefined && endRow <= startRow) [startRow, endRow] = [endRow - 1, startRow + 1];
  const out: Omit<A1Range, 'sheet'> = { startRow, startCol };
  if (endRow !== undefined) out.endRow = endRow;
  if (endCol !== undefined) out.endCol = endCol;
  return out;
}

export interface ParseOptions {
  /** Existing sheet titles: a bare text equal to one of them is that sheet, even if it looks like a cell. */
  sheetNames?: Iterable<string>;
}

/** Parses A1 notation; throws A1ParseError when the text is not a range. See the module comment. */
export function parse(range: string, options: ParseOptions = {}): A1Range {
  const text = range.trim();
  if (text === '') throw new A1ParseError('empty range');
  let sheet: string | undefined;
  let ref: string | undefined;
  if (text.startsWith("'")) {
    let i = 1;
    let name = '';
    for (;;) {
      if (i >= text.length) throw new A1ParseError(`unterminated quoted sheet name in ${range}`);
      const ch = text[i]!;
      if (ch === "'") {
        if (text[i + 1] === "'") {
          name += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      name += ch;
      i++;
    }
    if (name === '') throw new A1ParseError(`empty sheet name in ${range}`);
    sheet = name;
    if (i === text.length) ref = undefined;
    else if (text[i] === '!') ref = text.slice(i + 1);
    else throw new A1ParseError(`unexpected text after quoted sheet name in ${range}`);
  } else {
    const bang = text.lastIndexOf('!');
    if (bang >= 0) {
      sheet = text.slice(0, bang);
      ref = text.slice(bang + 1);
      if (sheet === '') throw new A1ParseError(`empty sheet name in ${range}`);
    } else {
      const names = options.sheetNames ? new Set(options.sheetNames) : undefined;
      if (names?.has(text)) return { sheet: text, startRow: 0, startCol: 0 };
      const asRef = parseRef(text);
      if (asRef) return asRef;
      return { sheet: text, startRow: 0, startCol: 0 };
    }
  }
  if (ref === undefined) return { sheet, startRow: 0, startCol: 0 };
  const parsed = parseRef(ref);
  if (!parsed) throw new A1ParseError(`cannot parse "${ref}" in ${range}`);
  return { sheet, ...parsed };
}

/**
 * Formats a range back to A1 notation (sheet name quoted when needed). A range open at
 * both ends and starting at A1 is written as the bare sheet name.
 */
export function format(range: A1Range): string {
  const prefix = range.sheet !== undefined ? `${quoteSheetName(range.sheet)}!` : '';
  const { startRow, startCol, endRow, endCol } = range;
  let ref: string;
  if (endRow !== undefined && endCol !== undefined) {
    const start = cellA1(startRow, startCol);
    ref = endRow === startRow + 1 && endCol === startCol + 1 ? start : `${start}:${cellA1(endRow - 1, endCol - 1)}`;
  } else if (endCol !== undefined) {
    const a = columnToLetters(startCol);
    const b = columnToLetters(endCol - 1);
    ref = startRow === 0 ? `${a}:${b}` : `${a}${startRow + 1}:${b}`;
  } else if (endRow !== undefined) {
    ref = startCol === 0 ? `${startRow + 1}:${endRow}` : `${cellA1(startRow, startCol)}:${endRow}`;
  } else {
    if (startRow === 0 && startCol === 0) {
      if (range.sheet === undefined) throw new A1ParseError('a whole-sheet range needs a sheet name');
      return quoteSheetName(range.sheet);
    }
    throw new A1ParseError('a range open in both directions must start at A1');
  }
  return prefix + ref;
}
