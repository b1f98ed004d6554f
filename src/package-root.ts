import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the package this code was loaded from: the nearest one above it with a package.json.
 * The sources (src/) and the n8n package (dist/n8n/, or an installed n8n-nodes-bucp-tracker) sit at
 * different depths below it, so paths to the package's own files (templates, the default config)
 * start here rather than at a module's own file.
 */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

const ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, from its root: `packagePath('config', 'templates')`. */
export function packagePath(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}
