import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';

/** Every cell of every tab of a workbook as text, notes included, for searching. */
export async function dumpWorkbook(file: string): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const parts: string[] = [];
  workbook.eachSheet((sheet) => {
    parts.push(`## ${sheet.name}`);
    sheet.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        parts.push(JSON.stringify(cell.value), cell.note ? JSON.stringify(cell.note) : '');
      });
    });
  });
  return parts.join('\n');
}

/** Every file of a folder, concatenated. */
export async function dumpFolder(dir: string): Promise<string> {
  const files = await readdir(dir);
  const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
  return texts.join('\n');
}
