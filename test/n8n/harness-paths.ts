import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const N8N_VERSION = '2.41.1';

/** Where the pinned n8n is installed: outside the repo, so the project's npm install stays light. */
export function n8nHarness(): { dir: string; bin: string; manifest: string; marker: string } {
  const dir = process.env.BUCP_N8N_CACHE ?? path.join(os.homedir(), '.cache', 'bucp-tracker', `n8n-${N8N_VERSION}`);
  return {
    dir,
    bin: path.join(dir, 'node_modules', '.bin', 'n8n'),
    manifest: fileURLToPath(new URL('harness/package.json', import.meta.url)),
    marker: path.join(dir, '.installed'),
  };
}
