/**
 * Installs the pinned n8n that the end-to-end suite runs our nodes in, into a cache folder outside
 * the repo (~/.cache/bucp-tracker/n8n-<version>, or $BUCP_N8N_CACHE), so the project's own install
 * stays light. A finished install is reused while test/n8n/harness/package.json is unchanged.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { n8nHarness } from '../test/n8n/harness-paths.ts';

const { dir, bin, manifest, marker } = n8nHarness();
const wanted = createHash('sha256')
  .update(await readFile(manifest))
  .digest('hex');
if (existsSync(bin) && existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) {
  console.log(`n8n is installed in ${dir}`);
  process.exit(0);
}
console.log(`installing n8n into ${dir} (about 5 minutes the first time)`);
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
await cp(manifest, path.join(dir, 'package.json'));
// n8n needs Node 24: the npm child runs on this process's Node, first on PATH.
const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
const started = Date.now();
const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: dir,
  env,
  stdio: 'inherit',
});
if (result.status !== 0 || !existsSync(bin)) {
  console.error(`installing n8n failed (exit ${result.status})`);
  process.exit(1);
}
await writeFile(marker, wanted);
console.log(`installed n8n in ${Math.round((Date.now() - started) / 1000)} s`);
