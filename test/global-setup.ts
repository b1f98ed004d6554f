import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Builds dist/n8n once, before any test file runs: the n8n tests load it (through
 * N8N_CUSTOM_EXTENSIONS, or packed as a community package), and test files that each rebuilt it in
 * parallel workers could remove it under one another.
 */
export function setup(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-n8n.ts')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building dist/n8n failed (exit ${build.status}):\n${build.stderr}`);
}
