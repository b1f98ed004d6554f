#!/usr/bin/env node
// The `bucp` command. The project brings its own Node 24 (the `node` devDependency), which npm
// scripts and npx put first on PATH. Node 24 runs the TypeScript sources as they are (type stripping):
// there is no build step, so what runs is always what is checked out.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `bucp needs Node 24 or newer, and this is ${process.version}.\n` +
      "Run it through npm, which uses the project's own Node 24: `npm start`, `npx bucp ...` or `npm run bucp -- ...`.\n",
  );
  process.exit(2);
}
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
