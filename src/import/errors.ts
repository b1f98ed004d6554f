/**
 * The import's errors, apart from the code that throws them: the CLI tells them apart without loading
 * the readers (the Excel library, the CSV parser) on every command.
 */

/** A source file that cannot be read as asked: the message says what to do. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** A map file that cannot be used: each problem names its key path, as config errors do. */
export class MapFileError extends Error {
  override readonly name = 'MapFileError';
}

/** Another instance (the service, a workflow, another import) holds the tracker's lease. */
export class ImportBusyError extends Error {
  override readonly name = 'ImportBusyError';
}
