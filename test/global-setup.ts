import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Builds dist/n8n once, before any test file runs. The n8n tests load dist/n8n (through
 * N8N_CUSTOM_EXTENSIONS, or packed as a community package), and test files that each rebuilt it in
 * parallel workers could remove it under one another.
 */
export function setup(): void {
  for (const [what, script] of [['dist/n8n', ['scripts/build-n8n.ts']]] as const) {
    const [file, ...args] = script;
    const build = spawnSync(process.execPath, [path.join(ROOT, file), ...args], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building ${what} failed (exit ${build.status}):\n${build.stderr}`);
  }
}
