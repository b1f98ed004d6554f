import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const src = (file: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${file}`, import.meta.url)));

/**
 * The packages a fresh Node resolves while it loads the CLI and makes the stores `store` names (a
 * config's store section, as JSON).
 */
function packagesLoaded(store: object, env: NodeJS.ProcessEnv = process.env): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve: (specifier, context, next) => { seen.add(specifier); return next(specifier, context); } });
    await import(${src('cli/main.ts')});
    const { createStores } = await import(${src('stores/create-stores.ts')});
    await createStores(${JSON.stringify(store)});
    console.log(JSON.stringify([...seen]));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  return JSON.parse(out) as string[];
}

// Each library takes 25 to 35 MB of the service's memory once loaded: only the configured store's is.
test('a service on Google Sheets loads the Google client and never the Excel library', () => {
  const loaded = packagesLoaded({ kind: 'google-sheets', spreadsheetId: 'tracker', restrictedSpreadsheetId: 'r' });
  expect(loaded).toContain('@googleapis/sheets');
  expect(loaded).not.toContain('exceljs');
  // bucp import's readers load with that command only.
  expect(loaded).not.toContain('csv-parse/sync');
  expect(loaded).not.toContain('fuse.js');
});

test('a service on a local workbook loads the Excel library and never the Google client', () => {
  const loaded = packagesLoaded({ kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' });
  expect(loaded).toContain('exceljs');
  expect(loaded).not.toContain('@googleapis/sheets');
  expect(loaded).not.toContain('google-auth-library');
});

test('a service on Airtable loads the airtable client and neither the Excel library nor the Google client', () => {
  const loaded = packagesLoaded(
    {
      kind: 'airtable',
      baseId: 'appAAAAAAAAAAAAAA',
      restrictedBaseId: 'appBBBBBBBBBBBBBB',
      tokenEnv: 'AIRTABLE_TOKEN',
    },
    { ...process.env, AIRTABLE_TOKEN: 'patTest.token' },
  );
  expect(loaded).toContain('airtable');
  expect(loaded).not.toContain('exceljs');
  expect(loaded).not.toContain('@googleapis/sheets');
});
