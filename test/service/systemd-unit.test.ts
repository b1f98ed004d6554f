import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { keyRecordingRelay } from '../support/smtp-server.ts';
import { CONTACTS, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const UNIT = path.join(ROOT, 'config/systemd/bucp-tracker.service');
const INSTALLED_AT = '/opt/bucp-tracker';

/** The `[Service]` settings of the shipped unit, by key (a key given twice keeps its last value). */
async function unitSettings(): Promise<Map<string, string>> {
  const settings = new Map<string, string>();
  for (const line of (await readFile(UNIT, 'utf8')).split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1]!, match[2]!);
  }
  return settings;
}

async function nodeFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { config: { nodeFlags: string } };
  return pkg.config.nodeFlags.split(/\s+/).filter(Boolean);
}

describe('the shipped systemd unit', () => {
  test('runs bin/bucp.js with the project Node and the flags of config.nodeFlags, not through npm', async () => {
    const exec = (await unitSettings()).get('ExecStart')!.split(/\s+/);

    expect(exec[0]).toBe(`${INSTALLED_AT}/node_modules/node/bin/node`);
    expect(exec.slice(1, -4)).toEqual(await nodeFlags());
    expect(exec.slice(-4)).toEqual([`${INSTALLED_AT}/bin/bucp.js`, 'serve', '--config', '/etc/bucp-tracker/bucp.yaml']);
  });

  test('gives the service a state directory, and everything else is read-only to it', async () => {
    const settings = await unitSettings();

    expect(settings.get('StateDirectory')).toBe('bucp-tracker');
    expect(settings.get('ProtectSystem')).toBe('strict');
    expect(settings.get('WorkingDirectory')).toBe(INSTALLED_AT);
  });

  test.skipIf(spawnSync('systemd-analyze', ['--version']).status !== 0)(
    'passes systemd-analyze verify, installed at this checkout',
    async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'bucp-unit-'));
      const unit = path.join(folder, 'bucp-tracker.service');
      await writeFile(unit, (await readFile(UNIT, 'utf8')).replaceAll(INSTALLED_AT, ROOT));

      const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });

      expect(`${verify.stdout}${verify.stderr}`).toBe('');
      expect(verify.status).toBe(0);
      await rm(folder, { recursive: true, force: true });
    },
  );
});

// ProtectSystem=strict, as near as a test can come: a private mount namespace in which the checkout,
// its node_modules and the config folder are mounted read-only, and only the state directory is not.
const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

describe.skipIf(!canUnshare)('the unit’s command with all but its state directory read-only', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /**
   * A relay that keeps each message's key, a tracker with two reminders due in a state directory, and
   * a config in a folder like /etc/bucp-tracker, with these mail settings. Then the unit's ExecStart,
   * run as systemd would under ProtectSystem=strict, at 08:00 on a business day.
   */
  async function startUnderUnit(mail: Record<string, unknown> = {}) {
    const relay = await keyRecordingRelay();
    const { keys } = relay;
    closers.push(relay.close);
    // The workbooks live in the state directory, as the README's server layout has them.
    const ws = await makeWorkspace();
    await ws.addProposals([
      proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
      proposal('B-2', {
        Stage: 'Provider Review',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 16),
        'Providing Coordinator Email': 'prov@cdph.example.gov',
      }),
    ]);
    const state = ws.dir;
    const etcRoot = await mkdtemp(path.join(os.tmpdir(), 'bucp-etc-'));
    closers.push(() => rm(etcRoot, { recursive: true, force: true }));
    const configFile = path.join(etcRoot, 'bucp-tracker', 'bucp.yaml');
    await mkdir(path.dirname(configFile));
    await writeFile(
      configFile,
      stringify({
        store: { kind: 'xlsx', path: `${state}/tracker.xlsx`, restrictedPath: `${state}/restricted.xlsx` },
        mail: { kind: 'smtp', host: '127.0.0.1', port: relay.port, from: 'bucp@localhost', timeoutMs: 5000, ...mail },
        contacts: CONTACTS,
      }),
    );
    const exec = (await unitSettings())
      .get('ExecStart')!
      .replaceAll(INSTALLED_AT, ROOT)
      .replace('/etc/bucp-tracker/bucp.yaml', configFile)
      .split(/\s+/);
    const readOnly = [...new Set([ROOT, await realpath(path.join(ROOT, 'node_modules')), etcRoot])];
    const script = ['set -e', ...readOnly.map((dir) => `mount --bind -o ro '${dir}' '${dir}'`), 'exec "$@"'].join('\n');
    const child = spawn(
      'unshare',
      ['-rm', 'sh', '-c', script, 'sh', ...exec, '--port', '0', '--now', '2026-11-23T08:00'],
      {
        cwd: ROOT,
        env: { ...process.env, STATE_DIRECTORY: state, BUCP_LOG_FORMAT: 'json', BUCP_LOG_LEVEL: 'warn' },
      },
    );
    closers.push(async () => {
      child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, exited, keys, state, etcRoot, out: () => out, err: () => err };
  }

  test('serves and sends each message once, with the journal in $STATE_DIRECTORY, writing nothing under the checkout', async () => {
    const service = await startUnderUnit();

    let status: { lastCycle: { ok: boolean; sent: number } | null } = { lastCycle: null };
    for (let i = 0; i < 300 && !status.lastCycle && service.child.exitCode === null; i += 1) {
      const url = /Status page: (http:\/\/\S+)\/status/.exec(service.out())?.[1];
      if (url) status = (await (await fetch(`${url}/status`)).json()) as typeof status;
      await new Promise((r) => setTimeout(r, 100));
    }
    service.child.kill('SIGTERM');

    expect(await service.exited, service.err()).toBe(0);
    expect(status.lastCycle).toMatchObject({ ok: true, sent: 2 });
    const { keys } = service;
    expect(keys.sort()).toEqual(['digest:prov@cdph.example.gov:2026-11-23', 'digest:req@dhcs.example.gov:2026-11-23']);
    const journal = (await readFile(path.join(service.state, 'smtp-sent.jsonl'), 'utf8')).trim().split('\n');
    expect(journal.map((l) => (JSON.parse(l) as { key: string }).key).sort()).toEqual(keys);
  });

  test('a journal beside a config under /etc, the old default, is refused at startup: nothing is sent', async () => {
    const service = await startUnderUnit({ journal: '../data/smtp-sent.jsonl' });
    const timer = setTimeout(() => service.child.kill('SIGTERM'), 20_000);

    const code = await service.exited;
    clearTimeout(timer);

    expect(code).toBe(2);
    expect(service.err()).toContain(
      `mail.journal ${service.etcRoot}/data/smtp-sent.jsonl cannot be written (EROFS: read-only file system`,
    );
    expect(service.keys).toEqual([]);
  });
});
