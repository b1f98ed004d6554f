import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import type { CellValue } from '../core/cells.ts';
import { type ImportMap, findHeaderRow } from '../core/import-map.ts';
import { SourceError } from './errors.ts';

export { SourceError };

/** A source sheet as a grid of cells, row 1 first, plus how it was read. */
export interface SourceGrid {
  readonly file: string;
  readonly format: 'xlsx' | 'csv';
  /** The worksheet read, for a workbook. */
  readonly sheet: string | null;
  readonly grid: readonly (readonly CellValue[])[];
  /** For a CSV: the text encoding and the separator, as given or detected. */
  readonly encoding?: string;
  readonly delimiter?: string;
}

export interface ReadOptions {
  readonly sheet?: string | undefined;
  readonly encoding?: string | undefined;
}

export async function readSource(file: string, options: ReadOptions, map: ImportMap): Promise<SourceGrid> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return readWorkbook(file, options, map);
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') {
    if (options.sheet !== undefined) throw new SourceError(`--sheet is for workbooks: ${file} is a CSV, one sheet`);
    return readCsv(file, options, map);
  }
  throw new SourceError(`${file}: import reads .xlsx workbooks and .csv files (save other formats as one of them)`);
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceError(`No file at ${file}`);
    throw error;
  }
}

/** A worksheet as a grid. A merged cell reads as its master only: a header merged over two columns names one. */
function worksheetGrid(sheet: ExcelJS.Worksheet, toCellValue: (value: ExcelJS.CellValue) => CellValue): CellValue[][] {
  const grid: CellValue[][] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r += 1) {
    const row = sheet.getRow(r);
    const values: CellValue[] = [];
    for (let c = 1; c <= width; c += 1) {
      const cell = row.getCell(c);
      values.push(cell.isMerged && cell.master.address !== cell.address ? null : toCellValue(cell.value));
    }
    grid.push(values);
  }
  return grid;
}

async function readWorkbook(file: string, options: ReadOptions, map: ImportMap): Promise<SourceGrid> {
  // The Excel library is loaded for a workbook only: a CSV import into Google Sheets never needs it.
  const [{ default: Excel }, { toCellValue }] = await Promise.all([
    import('exceljs'),
    import('../stores/xlsx-store.ts'),
  ]);
  const gridOf = (sheet: ExcelJS.Worksheet) => worksheetGrid(sheet, toCellValue);
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load((await readBytes(file)) as unknown as ArrayBuffer);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(`Cannot read ${file} as an .xlsx workbook: ${(error as Error).message}`);
  }
  const names = workbook.worksheets.map((s) => s.name);
  if (options.sheet !== undefined) {
    const sheet = workbook.getWorksheet(options.sheet);
    if (!sheet) throw new SourceError(`${file} has no sheet "${options.sheet}"; its sheets: ${names.join(', ')}`);
    return { file, format: 'xlsx', sheet: sheet.name, grid: gridOf(sheet) };
  }
  // Without --sheet, the first sheet with a header row: a title or notes sheet often comes first.
  for (const sheet of workbook.worksheets) {
    const grid = gridOf(sheet);
    if (findHeaderRow(grid, map).ok) return { file, format: 'xlsx', sheet: sheet.name, grid };
  }
  const first = workbook.worksheets[0];
  if (!first) throw new SourceError(`${file} has no sheets`);
  return { file, format: 'xlsx', sheet: first.name, grid: gridOf(first) };
}

/**
 * The text of a CSV: as `--encoding` says, else UTF-8 (with or without a BOM) when the bytes are valid
 * UTF-8, else Windows-1252, which Excel on Windows writes and which would otherwise show as mojibake.
 */
export function decodeCsv(bytes: Uint8Array, encoding: string | undefined): { text: string; encoding: string } {
  if (encoding !== undefined) {
    const decoder = (() => {
      try {
        return new TextDecoder(encoding);
      } catch {
        throw new SourceError(
          `--encoding "${encoding}" is not an encoding this Node knows (try utf-8 or windows-1252)`,
        );
      }
    })();
    return { text: decoder.decode(bytes), encoding: decoder.encoding };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

const DELIMITERS = [',', ';', '\t'] as const;

function parseCsv(text: string, delimiter: string): string[][] | null {
  try {
    return parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: true,
    }) as string[][];
  } catch {
    return null;
  }
}

async function readCsv(file: string, options: ReadOptions, map: ImportMap): Promise<SourceGrid> {
  const { text, encoding } = decodeCsv(await readBytes(file), options.encoding);
  // The separator is the one whose parse gives the best header row (`;` where the decimal mark is a comma).
  let best: { delimiter: string; grid: string[][]; known: number } | undefined;
  for (const delimiter of DELIMITERS) {
    const grid = parseCsv(text, delimiter);
    if (!grid) continue;
    const header = findHeaderRow(grid, map);
    const known = header.ok ? header.known : 0;
    if (!best || known > best.known) best = { delimiter, grid, known };
  }
  if (!best) throw new SourceError(`Cannot read ${file} as CSV with a comma, semicolon or tab separator`);
  const grid = best.grid.map((row) => row.map((v) => (v.trim() === '' ? null : v)));
  return { file, format: 'csv', sheet: null, grid, encoding, delimiter: best.delimiter };
}
