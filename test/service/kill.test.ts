import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { listenSmtp } from '../support/smtp-server.ts';
import { CONTACTS, editRow, enteredDaysAgo, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

const RUNS = Number(process.env.BUCP_KILL_RUNS ?? 50);
const NOW = '2026-11-23T09:10';
const BIN = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));

/**
 * A real SMTP server that records each message it accepts: at its 250 reply, on a connection still
 * open, which is when a relay takes responsibility for a message.
 */
async function smtp() {
  const accepted: { key: string; messageId: string }[] = [];
  const closed = new Set<string>();
  const server = await listenSmtp({
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        // A relay that takes a moment per message, as real ones do: kills land mid-send more often.
        setTimeout(() => {
          if (closed.has(session.id)) return callback(new Error('connection gone'));
          const key = /^X-BUCP-Idempotency-Key: (.+)$/im.exec(raw)?.[1]?.trim() ?? '';
          const messageId = /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim() ?? '';
          accepted.push({ key, messageId });
          callback();
        }, 40);
      });
    },
  });
  return { accepted, keys: () => accepted.map((a) => a.key), port: server.port, close: server.close };
}

function serve(configFile: string) {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0', '--now', NOW], {
    env: { ...process.env, BUCP_LOG_FORMAT: 'json', BUCP_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out };
}

async function finished(url: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 300; i += 1) {
    try {
      const status = (await (await fetch(`${url}/status`)).json()) as { lastCycle: { ok: boolean } | null };
      if (status.lastCycle?.ok) return;
      last = JSON.stringify(status);
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the restarted service never finished a cycle: ${last}`);
}

test(`kill -9 at random moments, ${RUNS} times: no email twice, none missing, the workbook always whole`, async () => {
  // One tracker with due reminders, an escalation and a dispute escalation; every run starts from a copy.
  const template = await makeWorkspace();
  await template.addProposals(
    Array.from({ length: 10 }, (_, i) =>
      proposal(`B-${i}`, {
        Stage: i % 2 ? 'Drafting' : 'Provider Review',
        'Stage Entered On': enteredDaysAgo('2026-11-23', 13 + i * 2),
        'Requesting Coordinator Email': `req${i % 4}@dhcs.example.gov`,
        'Providing Coordinator Email': `prov${i % 3}@cdph.example.gov`,
      }),
    ),
  );
  await template.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': enteredDaysAgo('2026-11-23', 12),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
  const clean = await mkdtemp(path.join(os.tmpdir(), 'bucp-kill-clean-'));
  await copyFiles(template.dir, clean);
  // What an uninterrupted run sends.
  const expected = (await template.run(NOW)).notifications
    .filter((n) => n.sent)
    .map((n) => n.idempotencyKey)
    .sort();
  expect(expected.length).toBeGreaterThan(5);

  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let interrupted = 0;
  let midWrite = 0;
  let ambiguous = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bucp-kill-'));
    await copyFiles(clean, dir);
    const server = await smtp();
    const configFile = path.join(dir, 'bucp.yaml');
    await writeFile(
      configFile,
      stringify({
        store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
        mail: {
          kind: 'smtp',
          host: '127.0.0.1',
          port: server.port,
          from: 'bucp@localhost',
          timeoutMs: 5000,
          journal: 'sent.jsonl',
        },
        contacts: CONTACTS,
      }),
    );
    const first = serve(configFile);
    if (run % 5 === 0) {
      // Every fifth run dies the moment a workbook write has begun: its temporary file exists.
      for (
        let i = 0;
        i < 2500 && !(await readdir(dir)).some((f) => f.startsWith('.tracker.xlsx.') && f.endsWith('.tmp'));
        i += 1
      ) {
        await new Promise((r) => setTimeout(r, 2));
      }
    } else {
      await new Promise((r) => setTimeout(r, 150 + random() * 1600));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const before = server.keys().length;
    if (before > 0 && before < expected.length) interrupted += 1;
    const lastAccepted = server.accepted.at(-1);
    const journaled = new Set(
      (await readFile(path.join(dir, 'sent.jsonl'), 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { key: string }).key),
    );
    if ((await readdir(dir)).some((f) => f.startsWith('.tracker.xlsx.') && f.endsWith('.tmp'))) midWrite += 1;
    // The workbook is whole after any kill, and a person can edit it before the restart.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 'tracker.xlsx'));
    await editRow(path.join(dir, 'tracker.xlsx'), 'Proposals', 'BUCP ID', 'B-0', { Notes: `typed after crash ${run}` });

    const second = serve(configFile);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /Status page: (http:\/\/[^/\s]+)\/status/.exec(second.out());
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 20);
      setTimeout(() => reject(new Error(`no status page: ${second.out()}`)), 20_000);
    });
    await finished(url);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await server.close();

    // A key arrives twice only in the window SMTP cannot close: the relay had replied 250 to the last
    // message before the kill, and the process died before journaling it. The copy then carries the
    // same Message-ID, so receiving systems drop it.
    const counts = new Map<string, number>();
    for (const key of server.keys()) counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const [key, count] of counts) {
      if (count === 1) continue;
      expect(count, `run ${run}: ${key} arrived ${count} times`).toBe(2);
      expect(key, `run ${run}: ${key} arrived twice outside the SMTP window`).toBe(lastAccepted?.key);
      expect(journaled.has(key)).toBe(false);
      const ids = new Set(server.accepted.filter((a) => a.key === key).map((a) => a.messageId));
      expect(ids.size, `run ${run}: the copy of ${key} has another Message-ID`).toBe(1);
      ambiguous += 1;
    }
    expect([...counts.keys()].sort(), `run ${run}: every due message arrived`).toEqual(expected);
    const b0 = (await readAllRows(path.join(dir, 'tracker.xlsx'), 'Proposals')).find((r) => r['BUCP ID'] === 'B-0')!;
    expect(b0.Notes).toBe(`typed after crash ${run}`);
  }
  // Some kills landed while mail was going out, not only before or after it.
  console.log(
    `kill test: ${interrupted} of ${RUNS} runs killed mid-send, ${midWrite} mid-workbook-write, ${ambiguous} in the 250-to-journal window`,
  );
  expect(interrupted).toBeGreaterThan(0);
  expect(midWrite).toBeGreaterThan(0);
}, 900_000);

async function copyFiles(from: string, to: string): Promise<void> {
  for (const file of ['tracker.xlsx', 'restricted.xlsx']) await copyFile(path.join(from, file), path.join(to, file));
}
