/**
 * Find Stalled on 10,000 proposals, inside a real n8n (the BUCP Tracker node) and in our CLI
 * (`bucp stalled`), in one run. Prints times and their ratios; nothing here is a pass/fail timing.
 * Needs `npm run build:n8n` and `npm run n8n:install` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { N8n } from '../test/n8n/n8n.ts';
import { seedTracker } from '../test/n8n/seed.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COUNT = Number(process.env.BUCP_BENCH_PROPOSALS ?? 10_000);
const NOW = '2026-11-20T17:00:00Z';
const RULES = 'contacts:\n  governanceLiaison: governance.liaison@example.gov\n';

const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-bench-n8n-'));
console.log(`seeding ${COUNT} proposals in ${dir}`);
const paths = await seedTracker(dir, new Date(NOW), COUNT);

// The CLI: `bucp stalled --json`, a fresh process, as an operator would run it.
const configFile = path.join(dir, 'bucp.yaml');
await writeFile(
  configFile,
  `store: { kind: xlsx, path: ${paths.tracker}, restrictedPath: ${paths.restricted} }\nmail: { kind: outbox, dir: ${dir}/outbox }\n${RULES}`,
);
const cliStarted = performance.now();
const cli = spawnSync(
  process.execPath,
  [path.join(ROOT, 'bin/bucp.js'), 'stalled', '--config', configFile, '--now', NOW, '--json'],
  {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  },
);
const cliMs = performance.now() - cliStarted;
if (cli.status !== 0) throw new Error(`bucp stalled failed:\n${cli.stderr}`);
const cliFindings = (JSON.parse(cli.stdout) as { findings: unknown[] }).findings.length;

// n8n: Manual Trigger, then Find Stalled, run with `n8n execute`.
const n8n = await N8n.forTracker(path.join(dir, 'n8n'), { paths, now: NOW });
await n8n.importWorkflow({
  id: 'bucpBenchFindStalled',
  name: 'bench',
  nodes: [
    {
      id: 'a',
      name: 'Run now',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    },
    {
      id: 'b',
      name: 'Find Stalled',
      type: 'CUSTOM.bucpTracker',
      typeVersion: 1,
      position: [200, 0],
      parameters: { operation: 'findStalled', store: 'xlsx', configFile: '', rules: RULES },
      credentials: { bucpWorkbookApi: { id: 'bucpWorkbook', name: 'BUCP Local Workbook' } },
    },
  ],
  connections: { 'Run now': { main: [[{ node: 'Find Stalled', type: 'main', index: 0 }]] } },
  settings: {},
} as { id: string });
const n8nStarted = performance.now();
const run = await n8n.execute('bucpBenchFindStalled');
const n8nMs = performance.now() - n8nStarted;
const node = run.nodes.get('Find Stalled')!;
if (node.items.length !== cliFindings) throw new Error(`n8n found ${node.items.length}, the CLI ${cliFindings}`);

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`proposals: ${COUNT}, findings: ${cliFindings} (the same in both)`);
console.log(`CLI  bucp stalled, whole process:      ${s(cliMs)}`);
console.log(`n8n  Find Stalled node (its own time): ${s(node.executionTime)}`);
console.log(`n8n  n8n execute, whole process:       ${s(n8nMs)}`);
console.log(`ratio n8n node / CLI process:          ${(node.executionTime / cliMs).toFixed(2)}`);
console.log(`ratio n8n process / CLI process:       ${(n8nMs / cliMs).toFixed(2)}`);
