/**
 * What n8n's queue mode needs besides n8n: Redis for the queue and PostgreSQL for the shared
 * database, both real servers from the machine's packages (`.ci/run` installs them), each started
 * on a free loopback port with its data in a temporary folder.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { N8n } from './n8n.ts';

const PG_ROOT = '/usr/lib/postgresql';

function postgresBin(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const version = readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a))[0];
  return version ? path.join(PG_ROOT, version, 'bin') : undefined;
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the queue-mode servers cannot run here, or null when they can. */
export function queueServicesMissing(): string | null {
  const missing = [...(onPath('redis-server') ? [] : ['redis-server']), ...(postgresBin() ? [] : ['PostgreSQL'])];
  return missing.length === 0
    ? null
    : `${missing.join(' and ')} not installed (apt-get install redis-server postgresql)`;
}

export interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.on('close', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
}

/** Resolves once something accepts connections on the port. */
async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after 60 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function collect(child: ChildProcess): () => string {
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  return () => log;
}

export async function startRedis(): Promise<Server> {
  const port = await N8n.freePort();
  const child = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await listening(port, child, collect(child));
  return { port, stop: stopper(child) };
}

/**
 * A throwaway PostgreSQL cluster with trust authentication for `postgres`. PostgreSQL refuses to run
 * as root, so under root (CI) it runs as the `postgres` account the package created.
 */
export async function startPostgres(): Promise<Server> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-pg-'));
  const asRoot = process.getuid?.() === 0;
  const account = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : {};
  if (asRoot) await chown(dir, account.uid!, account.gid!);
  const data = path.join(dir, 'data');
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync'], {
    ...account,
    cwd: dir,
    stdio: 'pipe',
  });
  const port = await N8n.freePort();
  const child = spawn(
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    { ...account, cwd: dir },
  );
  await listening(port, child, collect(child));
  return { port, stop: stopper(child) };
}
