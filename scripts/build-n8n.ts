/**
 * Builds the n8n community node package into dist/n8n: one CommonJS bundle per node and credential
 * (n8n loads nodes with `require`), with icons, codex files and the mail templates beside them.
 * The root package.json's `n8n` block is the list of what gets built.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist/n8n');
const PACKAGE_NAME = 'n8n-nodes-bucp-tracker';

interface RootPackage {
  version: string;
  description: string;
  license: string;
  peerDependencies: Record<string, string>;
  n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
}

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as RootPackage;
const inPackage = (file: string) => path.relative('dist/n8n', file);
const built = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map(inPackage);

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(
    built.map((file) => [file.replace(/\.js$/, ''), `src/n8n/${file.replace(/\.js$/, '.ts')}`]),
  ),
  absWorkingDir: root,
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  // The one runtime dependency left outside: n8n brings its own n8n-workflow.
  external: ['n8n-workflow'],
  // Class names kept as written: airtable.js's node-fetch 2 tells an AbortSignal by its constructor's
  // name, and the bundle would otherwise rename abort-controller's class (AbortSignal2): every request
  // then failed with "Expected signal to be an instanceof AbortSignal".
  keepNames: true,
  // Module-level paths (template folders) are resolved from each bundle's own file.
  define: { 'import.meta.url': '__bucpModuleUrl' },
  banner: { js: "const __bucpModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

for (const file of pkg.n8n.nodes.map(inPackage)) {
  const dir = path.dirname(file);
  const base = path.basename(file, '.js');
  await cp(path.join(root, 'src/n8n', dir, `${base}.json`), path.join(out, dir, `${base}.json`));
  await cp(path.join(root, 'src/n8n/bucp.svg'), path.join(out, dir, 'bucp.svg'));
}
for (const file of pkg.n8n.credentials.map(inPackage)) {
  await cp(path.join(root, 'src/n8n/bucp.svg'), path.join(out, path.dirname(file), 'bucp.svg'));
}
// The bundles sit two folders down (nodes/<Node>/), where the mail renderer looks for ../../config/templates.
await mkdir(path.join(out, 'config'), { recursive: true });
await cp(path.join(root, 'config/templates'), path.join(out, 'config/templates'), { recursive: true });
await writeFile(
  path.join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: PACKAGE_NAME,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      keywords: ['n8n-community-node-package'],
      type: 'commonjs',
      files: ['nodes', 'credentials', 'config'],
      n8n: { ...pkg.n8n, nodes: pkg.n8n.nodes.map(inPackage), credentials: pkg.n8n.credentials.map(inPackage) },
      peerDependencies: pkg.peerDependencies,
    },
    null,
    2,
  )}\n`,
);
console.log(`built ${PACKAGE_NAME} ${pkg.version} into ${path.relative(root, out)}`);
