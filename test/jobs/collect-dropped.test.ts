import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const memory = fileURLToPath(new URL('../../src/jobs/memory.ts', import.meta.url));

/** Runs `script` in a fresh Node with `flags` and GC tracing; returns the explicit collections it made. */
function explicitCollections(flags: string[], script: string): string[] {
  const output = execFileSync(
    process.execPath,
    [
      ...flags,
      '--trace-gc',
      '--input-type=module',
      '-e',
      `import { collectDropped } from ${JSON.stringify(memory)};\n${script}`,
    ],
    { encoding: 'utf8' },
  );
  // V8 names a collection asked for from JavaScript "testing".
  return output.split('\n').filter((line) => line.includes('testing; GC in old space requested'));
}

// 80 MB held, then the checkpoint: a big cycle's heap.
const BIG =
  'const held = Array.from({ length: 80 }, () => new Array(131072).fill(0.5)); collectDropped(); console.log(held.length);';
const SMALL =
  'const held = Array.from({ length: 2 }, () => new Array(131072).fill(0.5)); collectDropped(); console.log(held.length);';

test('a big heap is collected at a checkpoint when Node runs with --expose-gc', () => {
  expect(explicitCollections(['--expose-gc'], BIG)).toHaveLength(1);
});

test("a small tracker's heap is left to V8, and so is any heap when gc is not exposed", () => {
  expect(explicitCollections(['--expose-gc'], SMALL)).toEqual([]);
  expect(explicitCollections([], BIG)).toEqual([]);
});

test('the service is started with --expose-gc', async () => {
  const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
    config: { nodeFlags: string };
  };
  expect(pkg.config.nodeFlags.split(/\s+/)).toContain('--expose-gc');
});
