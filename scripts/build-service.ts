/**
 * Compiles the service into dist/service: one ES module bundle of the project's own code, run by
 * bin/bucp.js. The libraries stay in node_modules. Node runs the TypeScript sources too (tests and
 * scripts do), but its type stripper keeps about 17 MB resident for the life of the process, which a
 * long-running service should not pay. Store adapters stay in chunks of their own, loaded only when a
 * config names them.
 *
 *   node scripts/build-service.ts            build when a source is newer than the build
 *   node scripts/build-service.ts --force    build anyway
 */
import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVICE_DIR = path.join(root, 'dist/service');
const SERVICE_ENTRY = path.join(SERVICE_DIR, 'bucp.js');

/** Bundles `entryPoints` ({ name: source }) as the service is bundled, into a fresh `outdir`. */
export async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints,
    absWorkingDir: root,
    outdir,
    bundle: true,
    packages: 'external',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when the build is missing, or older than a source, this script or the lockfile. */
function serviceBuildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(SERVICE_ENTRY).mtimeMs;
  } catch {
    return true;
  }
  const inputs = [
    newestChange(path.join(root, 'src')),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
    statSync(path.join(root, 'package-lock.json')).mtimeMs,
  ];
  return inputs.some((changed) => changed > built);
}

export async function buildService(options: { force?: boolean } = {}): Promise<boolean> {
  if (!options.force && !serviceBuildIsStale()) return false;
  await bundle({ bucp: 'src/cli/main.ts' }, SERVICE_DIR);
  return true;
}

if (import.meta.main) {
  const built = await buildService({ force: process.argv.includes('--force') });
  if (built) console.error(`built the service into ${path.relative(root, SERVICE_DIR)}`);
}
