import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { listenSmtp } from '../support/smtp-server.ts';
import { CONTACTS, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';

const BIN = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A tracker with a reminder due, a real relay that counts what it takes, and an SMTP config whose
 * journal lies under a regular file, where no folder can be made.
 */
async function setup() {
  const accepted: string[] = [];
  const relay = await listenSmtp({
    onData(stream, session, callback) {
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
      stream.resume();
    },
  });
  closers.push(relay.close);
  const ws = await makeWorkspace();
  await ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
  await writeFile(path.join(ws.dir, 'not-a-folder'), 'a regular file\n');
  const journal = path.join(ws.dir, 'not-a-folder', 'smtp-sent.jsonl');
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail: { kind: 'smtp', host: '127.0.0.1', port: relay.port, from: 'bucp@localhost', journal },
      contacts: CONTACTS,
    }),
  );
  return { configFile, journal, accepted };
}

/** Runs the CLI in this process and keeps what it writes to stderr. */
async function bucp(args: string[]): Promise<{ code: number | 'still running'; stderr: string }> {
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
  const io = { out: () => {}, logger: createLogger({ destination: { write: () => true } }) };
  try {
    const run = main(args, io);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      run,
      new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 20_000))),
    ]);
    clearTimeout(timer);
    if (code === 'still running') {
      // A service that started after all: stop it as Ctrl-C would, so the test fails rather than hangs.
      process.emit('SIGINT');
      await run;
    }
    return { code, stderr: stderr.join('') };
  } finally {
    process.stderr.write = write;
  }
}

test.each([
  [['run', '--once', '--now', '2026-11-23T08:00']],
  [['check', '--now', '2026-11-23T08:00']],
  [['serve', '--port', '0', '--now', '2026-11-23T08:00']],
  [['start', '--port', '0']],
  [['start', '--now', '2026-11-23T08:00']],
])('bucp %j refuses to start when mail.journal cannot be written, and sends nothing', async (args) => {
  const { configFile, journal, accepted } = await setup();

  const { code, stderr } = await bucp([...args, '--config', configFile]);

  expect(code).toBe(2);
  expect(stderr).toContain(`mail.journal ${journal} cannot be written`);
  expect(stderr).toContain('set mail.journal to a file in a writable folder');
  expect(accepted).toEqual([]);
});

test('the bucp executable refuses to serve with a journal it cannot write, saying which setting to fix', async () => {
  const { configFile, journal, accepted } = await setup();
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0'], {
    env: { ...process.env, BUCP_LOG_FORMAT: 'json' },
  });
  closers.push(async () => {
    child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // A service that started after all is stopped, so the test fails rather than hangs.
  const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
  const code = await exited;
  clearTimeout(timer);

  expect(code).toBe(2);
  expect(stderr).toMatch(/^mail\.journal \S+ cannot be written \(/m);
  expect(stderr).toContain(journal);
  expect(accepted).toEqual([]);
});
