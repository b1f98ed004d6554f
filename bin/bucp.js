#!/usr/bin/env node
// The `bucp` command. The project brings its own Node 24 (the `node` devDependency), which npm
// scripts and npx put first on PATH. It runs the compiled service in dist/service, which
// `npm run build` makes (npm install, npm start and npm run bucp build it when a source changed).
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `bucp needs Node 24 or newer, and this is ${process.version}.\n` +
      "Run it through npm, which uses the project's own Node 24: `npm start`, `npx bucp ...` or `npm run bucp -- ...`.\n",
  );
  process.exit(2);
}
const entry = new URL('../dist/service/bucp.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'bucp is not built yet: run `npm run build` (npm start and npm run bucp -- ... build it for you).\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
