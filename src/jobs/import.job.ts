import { type CellValue, cellText, isBlankCell } from '../core/cells.ts';
import type { Config } from '../core/config.ts';
import {
  type ColumnMatch,
  EMPTY_MAP,
  type ImportMap,
  findHeaderRow,
  importTargets,
  matchColumns,
  proposeMap,
} from '../core/import-map.ts';
import {
  type ConversionCount,
  type ImportConflict,
  type ImportProblem,
  type SourceRow,
  planImport,
} from '../core/import-plan.ts';
import type {
  RestrictedImportResult,
  RestrictedImportTarget,
  RestrictedStore,
  StaffImportResult,
  StaffImportTarget,
  TrackerStore,
} from '../core/ports.ts';
import { loadMapFile, writeMapFile } from '../import/map-file.ts';
import { ImportBusyError, SourceError } from '../import/errors.ts';
import { readSource } from '../import/read-source.ts';
import { type Logger, createLogger } from '../log.ts';
import { leaseHolder } from '../stores/file-lease.ts';
import { runInit } from './init.job.ts';
import { type HeldLease, holdingLease } from './lease.ts';

export interface ImportDeps {
  readonly config: Config;
  readonly store: TrackerStore & StaffImportTarget;
  readonly restricted: RestrictedStore & RestrictedImportTarget;
  readonly logger?: Logger;
}

/** The import's lease: as long as a cycle's, renewed while the import runs. */
const IMPORT_LEASE_TTL_MS = 5 * 60_000;

/**
 * Runs the import's reads and writes under the tracker's lease, as every writer does: no cycle plans
 * or writes the tracker meanwhile. A busy lease is not waited for: the person runs the import again.
 */
async function underLease<T>(deps: ImportDeps, work: (held: HeldLease | undefined) => Promise<T>): Promise<T> {
  const lease = deps.store.lease;
  if (!lease) return work(undefined);
  const holder = leaseHolder('import');
  const taken = await lease.acquire(holder, new Date(), IMPORT_LEASE_TTL_MS);
  if (!taken.acquired) {
    throw new ImportBusyError(
      `The tracker is busy: ${taken.lease?.holder ?? 'another instance'} holds its lease until ${taken.lease?.expiresAt ?? 'it expires'}; run the import again when it is done`,
    );
  }
  const logger = deps.logger ?? createLogger({ level: 'silent' });
  return holdingLease(
    lease,
    { holder, ttlMs: IMPORT_LEASE_TTL_MS, expiresAt: taken.lease?.expiresAt, logger },
    (held) => work(held),
  );
}

export interface ImportOptions {
  readonly file: string;
  readonly sheet?: string | undefined;
  readonly mapFile?: string | undefined;
  readonly writeMap?: string | undefined;
  readonly dryRun: boolean;
  readonly idPrefix?: string | undefined;
  readonly overwrite: boolean;
  readonly encoding?: string | undefined;
  /** Called as the import moves on: the CLI draws a progress line from it on a terminal. */
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  readonly step: 'read' | 'plan' | 'restricted' | 'write' | 'done';
  readonly rows: number;
}

/**
 * What an import did or, in a dry run, would do. Restricted content is never in it: restricted columns
 * appear by name, and the restricted store's result by ID and column.
 */
export interface ImportReport {
  readonly file: string;
  readonly format: 'xlsx' | 'csv';
  readonly sheet: string | null;
  readonly encoding: string | null;
  readonly delimiter: string | null;
  /** The 1-based row of the header, and how many of its cells named known columns. */
  readonly headerRow: number;
  readonly headerKnownColumns: number;
  readonly columns: readonly ColumnMatch[];
  /** Source columns that will not be imported, by name. */
  readonly notImported: readonly string[];
  readonly conversions: readonly ConversionCount[];
  readonly rows: {
    readonly withData: number;
    readonly blank: number;
    readonly add: readonly string[];
    readonly fill: readonly { readonly id: string; readonly columns: readonly string[] }[];
    readonly unchanged: number;
    readonly skip: readonly { readonly row: number; readonly id: string | null; readonly reason: string }[];
  };
  readonly generatedIds: readonly string[];
  readonly conflicts: readonly ImportConflict[];
  readonly problems: readonly ImportProblem[];
  readonly restricted: RestrictedImportResult & { readonly records: number };
  readonly dryRun: boolean;
  readonly overwrite: boolean;
  /** What the tracker write did; null in a dry run or when there was nothing to write. */
  readonly written: StaffImportResult | null;
  readonly mapWritten: string | null;
}

export { ImportBusyError, SourceError };

/** Distinct values of each source column that goes to a dropdown, for the proposed map. */
function listValues(rows: readonly SourceRow[], matches: readonly ColumnMatch[]): Map<string, Set<string>> {
  const lists = new Set(
    importTargets()
      .filter((t) => t.column.list)
      .map((t) => t.header),
  );
  const values = new Map<string, Set<string>>();
  for (const m of matches) {
    if (!m.target || !lists.has(m.target) || m.restricted) continue;
    const seen = new Set<string>();
    for (const row of rows) {
      const value: CellValue = row.cells[m.index] ?? null;
      if (!isBlankCell(value)) seen.add(cellText(value));
    }
    values.set(m.source, seen);
  }
  return values;
}

/**
 * Imports a department's existing tracker: reads the file, finds its header, maps its columns and
 * values, plans against the tracker as it is, then (unless a dry run) writes restricted content to
 * the restricted store and the rest to the tracker, each in one write.
 */
export async function runImport(deps: ImportDeps, options: ImportOptions): Promise<ImportReport> {
  const { config } = deps;
  const progress = options.onProgress ?? (() => undefined);
  const map: ImportMap = options.mapFile ? await loadMapFile(options.mapFile, config.departments) : EMPTY_MAP;

  const source = await readSource(options.file, { sheet: options.sheet, encoding: options.encoding }, map);
  const header = findHeaderRow(source.grid, map);
  if (!header.ok) throw new SourceError(`${options.file}: ${header.reason}`);
  const headers = (source.grid[header.index] ?? []).map((v) => (isBlankCell(v) ? null : cellText(v)));
  const matches = matchColumns(headers, map);
  const rows: SourceRow[] = source.grid
    .slice(header.index + 1)
    .map((cells, i) => ({ rowNumber: header.index + 2 + i, cells }));
  progress({ step: 'read', rows: rows.length });

  if (options.writeMap) {
    const proposed = proposeMap(matches, map, listValues(rows, matches), config.departments, header.index + 1);
    await writeMapFile(options.writeMap, proposed, matches);
  }

  // A new tracker gets its tabs and headers first; `init` never changes staff data.
  if (!options.dryRun) await runInit({ config, store: deps.store, restricted: deps.restricted });
  const apply = async (held: HeldLease | undefined) => {
    const snapshot = await deps.store.read();
    const plan = planImport(rows, matches, map, snapshot.proposals, {
      departments: config.departments,
      idPrefix: options.idPrefix,
      overwrite: options.overwrite,
    });
    progress({ step: 'plan', rows: rows.length });
    // Restricted content first: a proposal row never waits in the tracker for content that failed to land.
    held?.ensureHeld();
    const restricted = await deps.restricted.importRecords(plan.restricted, {
      overwrite: options.overwrite,
      dryRun: options.dryRun,
    });
    progress({ step: 'restricted', rows: rows.length });
    const anything = plan.staff.add.length > 0 || plan.staff.fill.length > 0;
    held?.ensureHeld();
    const written = !options.dryRun && anything ? await deps.store.importStaff(plan.staff) : null;
    progress({ step: options.dryRun ? 'done' : 'write', rows: rows.length });
    return { plan, restricted, written };
  };
  const { plan, restricted, written } = options.dryRun ? await apply(undefined) : await underLease(deps, apply);

  return {
    file: source.file,
    format: source.format,
    sheet: source.sheet,
    encoding: source.encoding ?? null,
    delimiter: source.delimiter ?? null,
    headerRow: header.index + 1,
    headerKnownColumns: header.known,
    columns: matches,
    notImported: matches.filter((m) => m.target === null).map((m) => m.source),
    conversions: plan.conversions,
    rows: {
      withData: rows.length - plan.blankRows,
      blank: plan.blankRows,
      add: plan.added,
      fill: plan.filled,
      unchanged: plan.unchanged.length,
      skip: plan.skipped,
    },
    generatedIds: plan.generatedIds,
    conflicts: plan.conflicts,
    problems: plan.problems,
    restricted: { ...restricted, records: plan.restricted.length },
    dryRun: options.dryRun,
    overwrite: options.overwrite,
    written,
    mapWritten: options.writeMap ?? null,
  };
}
