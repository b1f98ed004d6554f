import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { STALE_TEMP_MS } from '../../src/stores/xlsx-store.ts';
import { makeWorkspace, proposal } from '../support/workspace.ts';

test('a write removes temp files left by a writer killed mid-write, and keeps a fresh one', async () => {
  const ws = await makeWorkspace();
  const dir = path.dirname(ws.tracker.path);
  const base = path.basename(ws.tracker.path);
  const stale = path.join(dir, `.${base}.0123456789ab.tmp`);
  const fresh = path.join(dir, `.${base}.ba9876543210.tmp`);
  const unrelated = path.join(dir, `.${base}.notes.tmp`);
  for (const file of [stale, fresh, unrelated]) await writeFile(file, 'half a workbook');
  const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
  await utimes(stale, old, old);
  await utimes(unrelated, old, old);

  await ws.addProposals([proposal('T-1', { Stage: 'Drafting' })]);
  await ws.run('2026-11-23T08:00');

  const left = await readdir(dir);
  expect(left).not.toContain(path.basename(stale));
  // A write in progress elsewhere, and a file that is not ours, are left alone.
  expect(left).toContain(path.basename(fresh));
  expect(left).toContain(path.basename(unrelated));
});
