import Fuse from 'fuse.js';
import { z } from 'zod/v4';
import { type CellValue, cellText } from './cells.ts';
import {
  type Column,
  type ListName,
  PROPOSAL_COLUMNS,
  RESTRICTED_COLUMNS,
  RESTRICTED_CONTENT_HEADERS,
  allLists,
} from './contract.ts';
import { type ValueMaps, valueKey } from './import-values.ts';

/** A column an import can fill: a staff column of Proposals, or restricted content. */
export interface ImportTarget {
  readonly header: string;
  readonly column: Column;
  /** Restricted content: it goes to the restricted store only and is never printed. */
  readonly restricted: boolean;
}

/** Every column an import can fill, derived from the contract. */
export function importTargets(): ImportTarget[] {
  const restricted = new Set(RESTRICTED_CONTENT_HEADERS);
  return [
    ...PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((column) => ({
      header: column.header,
      column,
      restricted: false,
    })),
    ...RESTRICTED_COLUMNS.filter((c) => restricted.has(c.header)).map((column) => ({
      header: column.header,
      column,
      restricted: true,
    })),
  ];
}

/** Columns the service writes itself: a source column by that name (an export of a tracker) is never imported. */
function systemHeaders(): Set<string> {
  return new Set(PROPOSAL_COLUMNS.filter((c) => c.owner === 'system').map((c) => c.header));
}

/**
 * Names other trackers give the contract's columns. Keyed by contract header; an entry for a header the
 * contract does not have is ignored, so the contract stays the one list of columns.
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'BUCP ID': ['Proposal ID', 'BUCP #', 'BUCP No', 'BUCP Number', 'Proposal #', 'Proposal Number', 'Request ID', 'ID'],
  'Use Case Name': ['Use Case', 'Project Name', 'Proposal Name', 'Project Title', 'Proposal Title', 'Title', 'Project'],
  'Requesting Department': [
    'Requesting Dept',
    'Requesting Agency',
    'Requesting Org',
    'Requestor Department',
    'Requester',
  ],
  'Providing Department': ['Providing Dept', 'Providing Agency', 'Data Provider', 'Provider', 'Source Department'],
  'Requesting Coordinator Email': [
    'Data Coordinator',
    'Requesting Coordinator',
    'Requesting Data Coordinator',
    'Coordinator Email',
    'Requester Email',
  ],
  'Providing Coordinator Email': ['Providing Coordinator', 'Providing Data Coordinator', 'Provider Coordinator'],
  'Sponsor Email': ['Sponsor', 'Executive Sponsor', 'Program Sponsor'],
  Datasets: ['Data Sets', 'Datasets Requested', 'Data Requested'],
  Stage: ['Current Stage', 'Current Status', 'Phase', 'Workflow Stage'],
  'Stage Entered On': ['Stage Date', 'Stage Entered', 'Date Entered Stage', 'In Stage Since', 'Status Date'],
  'Concept On': ['Concept Date', 'Date Opened', 'Initiated On', 'Start Date'],
  'Submitted On': ['Date Submitted', 'Submission Date', 'Submitted Date', 'Submitted'],
  'Approved On': ['Date Approved', 'Approval Date', 'Approved Date'],
  'Filed On': ['Date Filed', 'Filing Date', 'Filed Date'],
  'First Data Transfer On': ['First Data Transfer', 'First Transfer', 'Date of First Transfer', 'Data Transfer Date'],
  'Closed On': ['Date Closed', 'Close Date', 'Closed Date'],
  Outcome: ['Decision', 'Result', 'Final Outcome', 'Disposition'],
  'Restriction Solution': ['Statutory Restriction Solution', 'Restriction Mitigation'],
  'Legal Authority': ['Legal Basis', 'Statutory Authority', 'Authority'],
  'Next Action': ['Next Step', 'Next Steps', 'Action Item'],
  'Next Action Owner Email': ['Next Action Owner', 'Action Owner', 'Next Step Owner'],
  'Next Action Due': ['Next Action Due Date', 'Action Due', 'Next Step Due', 'Due Date'],
  Documents: ['Docs', 'Document Links', 'Attachments', 'Links'],
  'Data-Sharing Outcome': ['Sharing Outcome', 'Outcome of Data Sharing'],
  'End Date': ['Agreement End Date', 'Expiration Date'],
  Notes: ['Comments', 'Remarks', 'Note'],
  'Specialized Security': ['Security', 'Security Review', 'Security Notes', 'Security Requirements'],
  'Specialized Privacy': ['Privacy', 'Privacy Review', 'Privacy Notes'],
  'Known Risks': ['Risks', 'Risk', 'Risk Notes', 'Risk Register'],
  'Department Positions': ['Positions', 'Department Position', 'Dept Positions', 'Dept Position'],
};

/** A header without case, spacing or punctuation: `Requesting Dept.` and `requesting-dept` are one name. */
export function normalizedName(text: string): string {
  return text
    .toLowerCase()
    .replace(/#/g, ' number ')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '');
}

/** How a source column was matched to a tracker column. */
export type MatchHow = 'map' | 'exact' | 'normalized' | 'synonym' | 'fuzzy' | 'none';

export interface ColumnMatch {
  readonly source: string;
  /** 0-based column of the source sheet. */
  readonly index: number;
  readonly target: string | null;
  readonly how: MatchHow;
  readonly restricted: boolean;
  /** Why a column is not imported, or the fuzzy score. */
  readonly note?: string;
}

/** A map file, read and checked: source column → tracker column, and value maps per list. */
export interface ImportMap {
  /** The 1-based row of the header, when the person fixed it; otherwise it is detected. */
  readonly headerRow?: number;
  readonly columns: Readonly<Record<string, { readonly to: string | null; readonly restricted: boolean }>>;
  readonly values: ValueMaps;
}

export const EMPTY_MAP: ImportMap = { columns: {}, values: {} };

const LIST_NAMES = Object.keys(allLists([])) as ListName[];

const ColumnEntrySchema = z.union([
  z.string().nullable(),
  z.strictObject({ to: z.string().nullable().optional(), restricted: z.boolean().optional() }),
]);

/** The map file's shape. Which names are allowed is checked against the contract in `checkImportMap`. */
export const ImportMapSchema = z.strictObject({
  headerRow: z.number().int().min(1).max(1000).optional(),
  columns: z.record(z.string(), ColumnEntrySchema).optional(),
  values: z.partialRecord(z.enum(LIST_NAMES), z.record(z.string(), z.string().nullable()).nullable()).optional(),
});
export type ImportMapInput = z.infer<typeof ImportMapSchema>;

export interface MapProblem {
  readonly path: string;
  readonly message: string;
}

/** Checks a parsed map file against the contract. Problems name the key path, as config errors do. */
export function checkImportMap(
  input: unknown,
  departments: readonly string[],
): { ok: true; map: ImportMap } | { ok: false; problems: MapProblem[] } {
  const parsed = ImportMapSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(map)', message: i.message })),
    };
  }
  const targets = new Map(importTargets().map((t) => [t.header, t]));
  const problems: MapProblem[] = [];
  const columns: Record<string, { to: string | null; restricted: boolean }> = {};
  for (const [source, entry] of Object.entries(parsed.data.columns ?? {})) {
    const to = typeof entry === 'object' && entry !== null ? (entry.to ?? null) : entry;
    const target = to === null ? undefined : targets.get(to);
    const restricted = (typeof entry === 'object' && entry?.restricted === true) || target?.restricted === true;
    if (to !== null && !target) {
      problems.push({
        path: `columns.${source}`,
        message: `"${to}" is not a column an import fills; use one of: ${[...targets.keys()].join(', ')}`,
      });
      continue;
    }
    if (restricted && target && !target.restricted) {
      problems.push({
        path: `columns.${source}.restricted`,
        message: `restricted content can only go to ${RESTRICTED_CONTENT_HEADERS.join(', ')} (or nowhere: to: null)`,
      });
      continue;
    }
    columns[source] = { to, restricted };
  }
  const lists = allLists(departments);
  const values: Partial<Record<ListName, Record<string, string>>> = {};
  for (const [list, entries] of Object.entries(parsed.data.values ?? {}) as [
    ListName,
    Record<string, string | null>,
  ][]) {
    const advisory = list === 'Departments';
    const kept: Record<string, string> = {};
    for (const [from, to] of Object.entries(entries ?? {})) {
      // A value left null in a proposed map is one nobody has decided yet: it stays as typed.
      if (to === null) continue;
      const known = lists[list].find((v) => valueKey(v) === valueKey(to));
      if (!known && !advisory) {
        problems.push({
          path: `values.${list}.${from}`,
          message: `"${to}" is not a ${list}; choose one of: ${lists[list].join(', ')}`,
        });
        continue;
      }
      kept[from] = known ?? to;
    }
    values[list] = kept;
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    map: { ...(parsed.data.headerRow === undefined ? {} : { headerRow: parsed.data.headerRow }), columns, values },
  };
}

/** Names that identify a target without fuzziness: its header and its synonyms, normalized. */
function exactNames(targets: readonly ImportTarget[]): Map<string, { header: string; synonym: boolean }> {
  const names = new Map<string, { header: string; synonym: boolean }>();
  for (const t of targets) names.set(normalizedName(t.header), { header: t.header, synonym: false });
  for (const t of targets) {
    for (const synonym of SYNONYMS[t.header] ?? []) {
      if (!names.has(normalizedName(synonym))) names.set(normalizedName(synonym), { header: t.header, synonym: true });
    }
  }
  return names;
}

/** The most a fuzzy match may differ (Fuse's score, 0 = same): beyond it a column is left for a person. */
const FUZZY_THRESHOLD = 0.3;

/**
 * Maps source columns to tracker columns: the map file first, then by exact name, then case- and
 * punctuation-insensitive name, then the synonyms, then a fuzzy match. Each tracker column takes one
 * source column; every source column comes back, with how it matched or why it is not imported.
 */
export function matchColumns(headers: readonly (string | null)[], map: ImportMap): ColumnMatch[] {
  const targets = importTargets();
  const byHeader = new Map(targets.map((t) => [t.header, t]));
  const system = systemHeaders();
  const names = exactNames(targets);
  const taken = new Map<string, string>();
  const result: (ColumnMatch | undefined)[] = headers.map(() => undefined);
  const sources = headers.flatMap((h, index) => (h === null || h.trim() === '' ? [] : [{ source: h.trim(), index }]));
  const assign = (i: number, source: string, target: string, how: MatchHow, note?: string) => {
    const previous = taken.get(target);
    if (previous !== undefined) {
      result[i] = {
        source,
        index: i,
        target: null,
        how: 'none',
        restricted: byHeader.get(target)?.restricted === true,
        note: `"${target}" already comes from "${previous}"`,
      };
      return;
    }
    taken.set(target, source);
    result[i] = {
      source,
      index: i,
      target,
      how,
      restricted: byHeader.get(target)?.restricted === true,
      ...(note ? { note } : {}),
    };
  };
  // A person's map decides first; then each step runs over every column before the next, looser one.
  for (const { source, index } of sources) {
    const entry = map.columns[source];
    if (!entry) continue;
    if (entry.to === null) {
      result[index] = {
        source,
        index,
        target: null,
        how: 'map',
        restricted: entry.restricted,
        note: 'null in the map',
      };
    } else assign(index, source, entry.to, 'map');
  }
  const open = () => sources.filter(({ index }) => result[index] === undefined);
  for (const { source, index } of open()) {
    if (byHeader.has(source)) assign(index, source, source, 'exact');
    else if (system.has(source)) {
      result[index] = { source, index, target: null, how: 'none', restricted: false, note: 'written by the service' };
    }
  }
  for (const { source, index } of open()) {
    const found = names.get(normalizedName(source));
    if (found && !found.synonym) assign(index, source, found.header, 'normalized');
  }
  for (const { source, index } of open()) {
    const found = names.get(normalizedName(source));
    if (found?.synonym) assign(index, source, found.header, 'synonym');
  }
  const free = targets.filter((t) => !taken.has(t.header));
  const fuzzyPool = (restrictedOnly: boolean) =>
    new Fuse(
      free
        .filter((t) => !restrictedOnly || t.restricted)
        .flatMap((t) => [t.header, ...(SYNONYMS[t.header] ?? [])].map((name) => ({ name, header: t.header }))),
      { keys: ['name'], includeScore: true, threshold: FUZZY_THRESHOLD, ignoreLocation: true },
    );
  const pools = { any: fuzzyPool(false), restricted: fuzzyPool(true) };
  const sensitive = sensitiveWords();
  for (const { source, index } of open()) {
    // A column whose name sounds restricted is never guessed into a column the tracker shows.
    const pool = sensitive.some((w) => normalizedName(source).includes(w)) ? pools.restricted : pools.any;
    const best = pool.search(source).find((r) => !taken.has(r.item.header));
    if (best) assign(index, source, best.item.header, 'fuzzy', `score ${(best.score ?? 0).toFixed(2)}`);
  }
  for (const { source, index } of open()) {
    result[index] = { source, index, target: null, how: 'none', restricted: false, note: 'no tracker column matches' };
  }
  return result.filter((m): m is ColumnMatch => m !== undefined);
}

/** The words that make a column name sound restricted: the last word of each restricted header (security, risk, ...). */
function sensitiveWords(): string[] {
  return RESTRICTED_CONTENT_HEADERS.map((h) => normalizedName(h.split(' ').at(-1)!).replace(/s$/, ''));
}

/** How many cells of a row name a known column, without fuzziness: the test for a header row. */
function knownCells(values: readonly CellValue[], map: ImportMap): number {
  const names = exactNames(importTargets());
  for (const h of systemHeaders()) names.set(normalizedName(h), { header: h, synonym: false });
  const mapped = new Set(Object.keys(map.columns).map(normalizedName));
  return values.filter((v) => {
    const key = normalizedName(cellText(v));
    return key !== '' && (names.has(key) || mapped.has(key));
  }).length;
}

/** Rows searched for the header, and how many known names make one. */
export const HEADER_SEARCH_ROWS = 20;
export const HEADER_MIN_KNOWN = 3;

/**
 * The header row: the first of the first 20 rows that names at least three known columns (or the
 * row the map fixes). 0-based index into the grid, or a reason when there is none.
 */
export function findHeaderRow(
  grid: readonly (readonly CellValue[] | undefined)[],
  map: ImportMap,
): { ok: true; index: number; known: number } | { ok: false; reason: string } {
  if (map.headerRow !== undefined) {
    const row = grid[map.headerRow - 1];
    if (!row) return { ok: false, reason: `the map's headerRow ${map.headerRow} is past the end of the sheet` };
    return { ok: true, index: map.headerRow - 1, known: knownCells(row, map) };
  }
  let best = { index: -1, known: 0 };
  for (let i = 0; i < Math.min(grid.length, HEADER_SEARCH_ROWS); i += 1) {
    const known = knownCells(grid[i] ?? [], map);
    if (known >= HEADER_MIN_KNOWN) return { ok: true, index: i, known };
    if (known > best.known) best = { index: i, known };
  }
  if (best.index >= 0 && best.known === Object.keys(map.columns).length && best.known > 0) {
    return { ok: true, ...best };
  }
  return {
    ok: false,
    reason:
      `none of the first ${HEADER_SEARCH_ROWS} rows names ${HEADER_MIN_KNOWN} known columns (such as BUCP ID, Stage, ` +
      'Use Case Name): name the source columns in a map file (--map) or set its headerRow',
  };
}

/** The best list entry for a value nobody mapped yet, for the proposed map; null when nothing is close. */
export function suggestListValue(text: string, allowed: readonly string[]): string | null {
  const [best] = new Fuse(allowed as string[], { includeScore: true, threshold: 0.5, ignoreLocation: true }).search(
    text,
  );
  return best ? best.item : null;
}

/**
 * The map a person corrects (`--write-map`): every source column with where it goes (restricted ones
 * marked), and each list value the tracker does not know with the closest entry, or null when none is
 * close. Values already mapped keep their mapping.
 */
export function proposeMap(
  matches: readonly ColumnMatch[],
  map: ImportMap,
  sourceValues: ReadonlyMap<string, ReadonlySet<string>>,
  departments: readonly string[],
  headerRow: number,
): ImportMapInput {
  const targets = new Map(importTargets().map((t) => [t.header, t]));
  const lists = allLists(departments);
  const columns: Record<string, string | null | { to: string | null; restricted: boolean }> = {};
  for (const m of matches) {
    const marked = m.restricted && !(m.target !== null && targets.get(m.target)?.restricted);
    columns[m.source] = marked ? { to: m.target, restricted: true } : m.target;
  }
  const values: Partial<Record<ListName, Record<string, string | null>>> = {};
  for (const m of matches) {
    const list = m.target ? targets.get(m.target)?.column.list : undefined;
    if (!list || m.restricted) continue;
    const entries: Record<string, string | null> = { ...(values[list] ?? {}), ...(map.values[list] ?? {}) };
    const known = new Set(lists[list].map(valueKey));
    const mappedAlready = new Set(Object.keys(entries).map(valueKey));
    for (const value of sourceValues.get(m.source) ?? []) {
      if (known.has(valueKey(value)) || mappedAlready.has(valueKey(value))) continue;
      // A department outside the list is allowed as typed (a partner outside CalHHS): nothing to propose.
      if (targets.get(m.target!)?.column.listIsAdvisory) continue;
      entries[value] = suggestListValue(value, lists[list]);
      mappedAlready.add(valueKey(value));
    }
    if (Object.keys(entries).length > 0) values[list] = entries;
  }
  return { headerRow, columns, values };
}
