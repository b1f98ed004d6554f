import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { isMap, isScalar } from 'yaml';
import { type ColumnMatch, type ImportMap, type ImportMapInput, checkImportMap } from '../core/import-map.ts';

import { MapFileError } from './errors.ts';

export { MapFileError };

export async function loadMapFile(file: string, departments: readonly string[]): Promise<ImportMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MapFileError(`No map file at ${file}`);
    throw error;
  }
  let input: unknown;
  try {
    input = YAML.parse(text);
  } catch (error) {
    throw new MapFileError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const checked = checkImportMap(input, departments);
  if (!checked.ok) {
    throw new MapFileError(
      [`${file} has problems:`, ...checked.problems.map((p) => `  ${p.path}: ${p.message}`)].join('\n'),
    );
  }
  return checked.map;
}

const MATCH_NOTES: Record<ColumnMatch['how'], string> = {
  map: 'from your map',
  exact: 'same name',
  normalized: 'same name but case or punctuation',
  synonym: 'known synonym',
  fuzzy: 'fuzzy match: check it',
  none: 'not imported',
};

/** The proposed map as YAML, each column commented with how it was matched, for a person to correct. */
export function mapYaml(map: ImportMapInput, matches: readonly ColumnMatch[]): string {
  const doc = new YAML.Document(map);
  doc.commentBefore = [
    ' bucp import map: source column → tracker column (null: not imported).',
    ' `restricted: true` keeps a column out of the tracker: it goes to the restricted store only.',
    ' values: source text → tracker value per list; a null value is one to decide (it stays as typed).',
  ].join('\n');
  const columns = doc.get('columns', true);
  if (isMap(columns)) {
    for (const pair of columns.items) {
      const match = matches.find((m) => isScalar(pair.key) && m.source === pair.key.value);
      if (!match) continue;
      const note = match.note ? `${MATCH_NOTES[match.how]} (${match.note})` : MATCH_NOTES[match.how];
      if (isScalar(pair.value) || isMap(pair.value)) pair.value.comment = ` ${note}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

export async function writeMapFile(file: string, map: ImportMapInput, matches: readonly ColumnMatch[]): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, mapYaml(map, matches));
}
