import ExcelJS from 'exceljs';

export type StaffValue = string | number | boolean | Date | null;

/**
 * Adds rows to a tab of an existing workbook the way a person would type them, by header.
 * For `bucp demo` and tests only: the service itself never writes staff columns.
 */
export async function appendRowsByHeader(
  file: string,
  tab: string,
  rows: readonly Readonly<Record<string, StaffValue>>[],
): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.getWorksheet(tab);
  if (!sheet) throw new Error(`${file} has no "${tab}" tab`);
  const columns = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => columns.set(String(cell.value).trim(), col));
  let next = 1;
  sheet.eachRow({ includeEmpty: false }, (_row, n) => {
    next = Math.max(next, n);
  });
  for (const values of rows) {
    next += 1;
    const row = sheet.getRow(next);
    for (const [header, value] of Object.entries(values)) {
      const col = columns.get(header);
      if (!col) throw new Error(`"${tab}" has no column "${header}"`);
      const cell = row.getCell(col);
      cell.value = value;
      if (value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
    }
  }
  await workbook.xlsx.writeFile(file);
}
