import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
import { listenSmtp } from '../support/smtp-server.ts';
import { CONTACTS, enteredDaysAgo, localTime, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

/**
 * A config for a local workbook, in `dir` (or a subfolder of it), and an outbox there, or the SMTP
 * relay on `smtpPort` with a journal beside the workbook.
 */
async function writeLocalConfig(dir: string, folder = '', smtpPort?: number): Promise<string> {
  const at = (file: string) => (folder ? `${folder}/${file}` : file);
  const configFile = path.join(dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: { kind: 'xlsx', path: at('tracker.xlsx'), restrictedPath: at('restricted.xlsx') },
      mail:
        smtpPort === undefined
          ? { kind: 'outbox', dir: at('outbox') }
          : { kind: 'smtp', host: '127.0.0.1', port: smtpPort, from: 'bucp@localhost', journal: at('sent.jsonl') },
      contacts: CONTACTS,
    }),
  );
  return configFile;
}

/** Runs the real bucp executable and collects its output, and its log lines (stderr). */
function spawnBucp(args: string[]) {
  const bin = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, BUCP_LOG_FORMAT: 'json' } });
  let out = '';
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => out,
    /** The log lines with this message. */
    logLines: (msg: string) =>
      log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === msg),
    /** Waits, up to 20 s, for the output (or the log) to say something. */
    async waitFor(pattern: RegExp, where: 'out' | 'log' = 'out'): Promise<RegExpExecArray> {
      const text = () => (where === 'out' ? out : log);
      for (let i = 0; i < 200; i += 1) {
        const match = pattern.exec(text());
        if (match) return match;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${pattern} never appeared in: ${text()}`);
    },
  };
}

async function service(startAt: string) {
  const ws = await makeWorkspace();
  await ws.addProposals([
    // Drafting (SLA 15), 20 business days in on Friday the 20th: Stalled, reminded every 5 business days.
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-20', 20) }),
    // Provider Review (SLA 15), 13 business days in on Monday the 23rd: Due Soon that Monday, not before.
    proposal('B-2', {
      Stage: 'Provider Review',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 13),
      'Providing Coordinator Email': 'prov@cdph.example.gov',
    }),
  ]);
  await ws.addRestricted([{ 'BUCP ID': 'B-2' }]);
  let now = localTime(startAt);
  const deps = {
    config: ws.config,
    store: ws.tracker,
    restricted: ws.restricted,
    mailer: ws.outbox,
    templates: await MailTemplates.load(),
    logger: createLogger({ destination: { write: () => true } }),
  };
  const runner = new ServiceRunner({ deps, clock: () => now });
  /** Ticks at a local time and says to whom mail went. */
  const at = async (time: string) => {
    now = localTime(time);
    const report = await runner.tick();
    return report?.notifications.filter((n) => n.sent).map((n) => n.to[0]) ?? null;
  };
  return { ws, runner, at, deps };
}

test('down at 8:00 and up at 9:10: that day’s reminders go out once, on start', async () => {
  const { at, runner } = await service('2026-11-20T08:05');
  expect(await at('2026-11-20T08:05')).toEqual(['req@dhcs.example.gov']); // Friday: B-1 stalled
  expect(await at('2026-11-23T09:10')).toEqual(['prov@cdph.example.gov']); // Monday, down at 8:00: B-2 due soon
  expect(await at('2026-11-23T09:15')).toEqual([]);
  const reminders = runner.status().jobs.find((j) => j.job === 'reminders')!;
  expect(reminders).toMatchObject({ lastOutcome: 'ok', lastSlot: localTime('2026-11-23T08:00').toISOString() });
});

test('down over a weekend and through a holiday: each business day’s reminders once, after 8:00', async () => {
  const { at } = await service('2026-11-20T08:05');
  expect(await at('2026-11-20T08:05')).toEqual(['req@dhcs.example.gov']);
  expect(await at('2026-11-21T10:00')).toEqual([]); // Saturday
  expect(await at('2026-11-22T10:00')).toEqual([]); // Sunday
  expect(await at('2026-11-23T07:45')).toEqual([]); // Monday, before the reminders slot
  expect(await at('2026-11-23T08:01')).toEqual(['prov@cdph.example.gov']);
  expect(await at('2026-11-27T10:00')).toEqual([]); // the day after Thanksgiving
  // Tuesday 1 December is five business days after Friday (Thanksgiving and the day after do not count).
  expect(await at('2026-12-01T09:30')).toEqual(['prov@cdph.example.gov', 'req@dhcs.example.gov']);
});

test('schedules come from config: reminders moved to 10:00 are not due at 9:10', async () => {
  const { ws, deps } = await service('2026-11-23T09:10');
  const later = new ServiceRunner({
    deps: { ...deps, config: { ...ws.config, schedules: { reminders: '0 10 * * 1-5' } } },
    clock: () => localTime('2026-11-23T09:10'),
  });
  // The last 10:00 slot was Friday's; this tracker never ran, so Friday's runs now, as a catch-up.
  expect(later.status().jobs.find((j) => j.job === 'reminders')).toBeDefined();
  await later.tick();
  expect(later.status().jobs.find((j) => j.job === 'reminders')?.lastSlot).toBe(
    localTime('2026-11-20T10:00').toISOString(),
  );
});

test('a restart keeps the memory: the job slots live in the Activity Log', async () => {
  const first = await service('2026-11-23T09:10');
  expect(await first.at('2026-11-23T09:10')).toEqual(['prov@cdph.example.gov', 'req@dhcs.example.gov']);
  // A new runner on the same tracker (another process, another machine) knows what already ran.
  const again = new ServiceRunner({ deps: first.deps, clock: () => localTime('2026-11-23T09:40') });
  const report = await again.tick();
  expect(report?.notifications).toEqual([]);
  expect(again.status().jobs.find((j) => j.job === 'reminders')?.lastSlot).toBe(
    localTime('2026-11-23T08:00').toISOString(),
  );
});

test('bucp serve: status page, catch-up on start, and a clean stop on SIGTERM', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals([proposal('B-1')]);
  const configFile = await writeLocalConfig(ws.dir);
  const bucp = spawnBucp(['serve', '--config', configFile, '--port', '0']);
  const url = (await bucp.waitFor(/Status page: (http:\/\/[^/\s]+)\/status/))[1]!;
  expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
  let status: { lastCycle: unknown; jobs: { job: string }[] } = { lastCycle: null, jobs: [] };
  for (let i = 0; i < 100 && !status.lastCycle; i += 1) {
    status = (await (await fetch(`${url}/status`)).json()) as typeof status;
    if (!status.lastCycle) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status.lastCycle).toMatchObject({ ok: true });
  expect(status.jobs.map((j) => j.job)).toEqual([
    'sync',
    'reminders',
    'dispute-escalation',
    'metrics',
    'manager-digest',
  ]);
  bucp.child.kill('SIGTERM');
  expect(await bucp.exited).toBe(0);
  expect(bucp.out()).toContain('Stopped.');
});

test('bucp start on a fresh checkout: a sample tracker, its mail, then the service until SIGTERM', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-start-'));
  const configFile = await writeLocalConfig(dir, 'data');
  const bucp = spawnBucp(['start', '--config', configFile, '--port', '0']);
  await bucp.waitFor(/Ctrl-C stops the service\./);
  const out = bucp.out();
  expect(out).toMatch(/created one with 7\d sample proposals and \d+ tasks/);
  expect(out).toMatch(/Notifications: \d+ planned, [1-9]\d* sent/);
  expect(out).toMatch(/Status page: http:\/\/127\.0\.0\.1:\d+\/status/);
  const emails = (await readdir(path.join(dir, 'data', 'outbox'))).filter((f) => f.endsWith('.eml'));
  expect(emails.length).toBeGreaterThan(5);
  bucp.child.kill('SIGINT');
  expect(await bucp.exited).toBe(0);
  expect(bucp.out()).toContain('Stopped.');
});

/**
 * A real SMTP server that holds every message at its final reply until `open()`: a sender stays in
 * the middle of its cycle, under the lease, for as long as the test wants. Counts what it accepted.
 */
async function heldRelay() {
  let opened = false;
  const held: (() => void)[] = [];
  const accepted: string[] = [];
  const server = await listenSmtp({
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        const accept = () => {
          accepted.push(/^X-BUCP-Idempotency-Key: (.+)$/im.exec(raw)?.[1]?.trim() ?? '');
          callback();
        };
        if (opened) accept();
        else held.push(accept);
      });
    },
  });
  return {
    port: server.port,
    accepted,
    held: () => held.length,
    open() {
      opened = true;
      for (const accept of held.splice(0)) accept();
    },
    close: server.close,
  };
}

type Status = {
  holder: string;
  lastCycle: { ok: boolean; sent: number } | null;
  skippedForLease: number;
  lease: { holder: string } | null;
};

/** Polls a status page, up to 20 s, until `done` holds. */
async function statusWhen(url: string, done: (status: Status) => boolean): Promise<Status> {
  let status: Status | undefined;
  for (let i = 0; i < 200; i += 1) {
    status = (await (await fetch(`${url}/status`)).json()) as Status;
    if (done(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the status at ${url} never got there: ${JSON.stringify(status)}`);
}

test('two bucp serve processes on one workbook: the second skips its tick while the first holds the lease, and each message goes out once', async () => {
  const ws = await makeWorkspace();
  await ws.addProposals(
    Array.from({ length: 8 }, (_, i) =>
      proposal(`B-${i}`, {
        Stage: 'Drafting',
        'Stage Entered On': enteredDaysAgo('2026-11-20', 20 + i),
        'Requesting Coordinator Email': `req${i}@dhcs.example.gov`,
      }),
    ),
  );
  const relay = await heldRelay();
  const started: ReturnType<typeof spawnBucp>[] = [];
  try {
    const configFile = await writeLocalConfig(ws.dir, '', relay.port);
    const args = ['serve', '--config', configFile, '--port', '0', '--now', '2026-11-23T09:10'];
    const one = spawnBucp(args);
    started.push(one);
    const oneUrl = (await one.waitFor(/Status page: (http:\/\/[^/\s]+)\/status/))[1]!;
    // The relay holds the first process's first message: it is inside its cycle, holding the lease.
    for (let i = 0; i < 200 && relay.held() === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(relay.held()).toBe(1);
    const two = spawnBucp(args);
    started.push(two);
    const twoUrl = (await two.waitFor(/Status page: (http:\/\/[^/\s]+)\/status/))[1]!;
    // The second's catch-up tick comes while the first still sends: it must skip for the lease.
    const skipped = await statusWhen(twoUrl, (s) => s.skippedForLease > 0);
    const holder = (await statusWhen(oneUrl, () => true)).holder;
    expect(skipped).toMatchObject({ lastCycle: null, lease: { holder } });
    expect(skipped.holder).not.toBe(holder);
    // Its log says so too (stderr may arrive a moment after the status page's answer).
    await two.waitFor(/another instance holds the lease; this tick is skipped/, 'log');
    const skipLines = two.logLines('another instance holds the lease; this tick is skipped');
    expect(skipLines.every((line) => line.holder === holder)).toBe(true);
    relay.open();
    const done = await statusWhen(oneUrl, (s) => s.lastCycle !== null);
    expect(done).toMatchObject({ skippedForLease: 0, lastCycle: { ok: true } });
    for (const p of [one, two]) p.child.kill('SIGTERM');
    expect(await Promise.all([one.exited, two.exited])).toEqual([0, 0]);
    // Every message reached the relay exactly once, and the Activity Log says so once each.
    expect(relay.accepted.length).toBeGreaterThanOrEqual(8);
    expect(relay.accepted).toHaveLength(done.lastCycle!.sent);
    expect(new Set(relay.accepted).size).toBe(relay.accepted.length);
    const sent = (await readAllRows(ws.tracker.path, 'Activity Log'))
      .filter((e) => e.Kind === 'notification-sent')
      .map((e) => String(e['Idempotency Key']));
    expect(sent.sort()).toEqual([...relay.accepted].sort());
  } finally {
    // On a failure too: no process may outlive the test.
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await relay.close();
  }
});
