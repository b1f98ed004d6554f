/** A workbook that cannot be read or written as it stands: the message says what to do. */
export class WorkbookError extends Error {
  override readonly name = 'WorkbookError';
}
