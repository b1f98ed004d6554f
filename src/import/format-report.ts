import type { ImportReport } from '../jobs/import.job.ts';

const MATCH_LABELS = {
  map: 'map file',
  exact: 'exact',
  normalized: 'case/punctuation',
  synonym: 'synonym',
  fuzzy: 'fuzzy',
  none: '—',
} as const;

/** Lines listed per section of the text preview; `--json` lists everything. */
const MAX_LINES = 50;

function capped(lines: readonly string[]): string[] {
  return lines.length <= MAX_LINES
    ? [...lines]
    : [...lines.slice(0, MAX_LINES), `  … and ${lines.length - MAX_LINES} more (--json lists them all)`];
}

const list = (items: readonly string[], max = 20) =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} … and ${items.length - max} more`;

/**
 * The preview a person reads before (`--dry-run`) or after an import. Restricted columns appear by
 * name only; the report it prints holds no restricted content to begin with.
 */
export function formatImportReport(report: ImportReport): string {
  const lines: string[] = [];
  const where = report.sheet ? `${report.file}, sheet "${report.sheet}"` : report.file;
  const how =
    report.format === 'csv'
      ? ` (${report.encoding}, separator "${report.delimiter === '\t' ? 'tab' : report.delimiter}")`
      : '';
  lines.push(
    `${report.dryRun ? 'Import preview (dry run: nothing written)' : 'Import'} of ${where}${how}`,
    `Header row: ${report.headerRow} (${report.headerKnownColumns} known column names)`,
    '',
    'Columns:',
  );
  const width = Math.max(...report.columns.map((c) => c.source.length), 6);
  for (const c of report.columns) {
    const to = c.target ?? 'not imported';
    const note = c.note ? ` (${c.note})` : '';
    const secret = c.restricted ? ' [restricted: restricted store only]' : '';
    lines.push(`  ${c.source.padEnd(width)} → ${to}  [${MATCH_LABELS[c.how]}]${note}${secret}`);
  }
  lines.push(
    report.notImported.length > 0
      ? `Not imported: ${report.notImported.map((n) => `"${n}"`).join(', ')}`
      : 'Every source column is imported.',
  );
  const converted = report.conversions.filter((c) => c.kind !== 'as is');
  if (converted.length > 0) {
    lines.push('', 'Value conversions:');
    for (const c of converted) lines.push(`  ${c.column}: ${c.count} × ${c.kind}`);
  }
  const r = report.rows;
  lines.push(
    '',
    `Rows: ${r.withData} with data, ${r.blank} blank`,
    `  to add: ${r.add.length}${r.add.length > 0 ? ` (${list(r.add)})` : ''}`,
    `  to fill: ${r.fill.length}${
      r.fill.length > 0
        ? ` (${list(
            r.fill.map((f) => `${f.id}: ${f.columns.join(', ')}`),
            10,
          )})`
        : ''
    }`,
    `  unchanged: ${r.unchanged}`,
    `  skipped: ${r.skip.length}`,
  );
  lines.push(...capped(r.skip.map((s) => `    row ${s.row}${s.id ? ` (${s.id})` : ''}: ${s.reason}`)));
  if (report.generatedIds.length > 0) lines.push(`  new IDs: ${list(report.generatedIds)}`);
  if (report.conflicts.length > 0) {
    lines.push(
      '',
      report.overwrite
        ? `Conflicts (${report.conflicts.length}, overwritten by --overwrite):`
        : `Conflicts (${report.conflicts.length}, kept as the tracker has them; --overwrite replaces them):`,
    );
    lines.push(
      ...capped(
        report.conflicts.map(
          (c) => `  ${c.id} ${c.column}: tracker "${c.existing}", source row ${c.row} "${c.incoming}"`,
        ),
      ),
    );
  }
  const rs = report.restricted;
  lines.push(
    '',
    `Restricted store: ${rs.records} records with content; ${rs.added.length} to add, ${rs.filled.length} cells to fill, ` +
      `${rs.unchanged} unchanged, ${rs.conflicts.length} conflicts${rs.conflicts.length > 0 && !report.overwrite ? ' (kept; --overwrite replaces them)' : ''}`,
  );
  lines.push(...capped(rs.conflicts.map((c) => `  ${c.id} ${c.column}: differs (content not shown)`)));
  if (report.problems.length > 0) {
    lines.push('', `Problems (${report.problems.length}; kept as typed, the next cycle lists them on the Issues tab):`);
    lines.push(...capped(report.problems.map((p) => `  row ${p.row}${p.id ? ` (${p.id})` : ''}: ${p.message}`)));
  }
  if (report.written) {
    lines.push(
      '',
      `Written: ${report.written.rowsAdded} rows added, ${report.written.cellsFilled} cells filled` +
        (report.written.missingIds.length > 0 ? `; gone before the write: ${list(report.written.missingIds)}` : ''),
    );
    const refused = report.written.refused ?? [];
    if (refused.length > 0) {
      lines.push(`Left empty (${refused.length}; the store's field cannot hold the value as typed):`);
      for (const r of refused) lines.push(`  ${r.id} ${r.column}: ${r.reason}`);
    }
  } else if (!report.dryRun) lines.push('', 'Nothing to write: the tracker already has all of it.');
  if (report.mapWritten) lines.push(`Map written to ${report.mapWritten}: correct it and import with --map.`);
  return lines.join('\n');
}
