import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { SmtpMailer } from '../../src/mail/smtp-mailer.ts';
import { ServiceRunner } from '../../src/service/runner.ts';
import { startStatusServer } from '../../src/service/status-server.ts';
import { keyRecordingRelay } from '../support/smtp-server.ts';
import { type Workspace, d, localTime, makeWorkspace, proposal, readAllRows } from '../support/workspace.ts';

const FROM = 'BUCP Tracker <bucp@chhs.example.gov>';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface LogLine {
  level: number;
  msg: string;
  key?: string;
  error?: string;
  held?: number;
}
const ERROR = 50;

/** A real SMTP relay that keeps the idempotency key of every message it accepts. */
async function relay() {
  const server = await keyRecordingRelay();
  closers.push(server.close);
  return server;
}

/** Three messages are due on Monday 2026-11-23: a digest to each coordinator and an escalation. */
async function trackerWithThreeMessages(): Promise<Workspace> {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('BUCP-1', { Stage: 'Drafting', 'Stage Entered On': d('2026-10-01') }),
    proposal('BUCP-2', { Stage: 'Provider Review', 'Stage Entered On': d('2026-10-26') }),
    proposal('BUCP-3', { Stage: 'Internal Review', 'Stage Entered On': d('2026-11-10') }),
  ]);
  return ws;
}

/**
 * A journal the service cannot write, in one of two ways, and `fix` to take the cause away. Under a
 * regular file no folder can be made, and nothing can be read. A link into a missing folder reads as
 * no journal yet and cannot be written, as `/etc/data/smtp-sent.jsonl` under the systemd unit's
 * read-only /etc: the message goes out, and only its record fails.
 */
async function unwritableJournal(how: 'under a regular file' | 'behind a link into a missing folder') {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bucp-journal-'));
  closers.push(() => rm(folder, { recursive: true, force: true }));
  if (how === 'under a regular file') {
    const blocker = path.join(folder, 'state');
    await writeFile(blocker, 'a regular file where the journal folder should be\n');
    return { file: path.join(blocker, 'smtp-sent.jsonl'), fix: () => rm(blocker) };
  }
  const file = path.join(folder, 'smtp-sent.jsonl');
  await symlink(path.join(folder, 'missing', 'smtp-sent.jsonl'), file);
  return { file, fix: () => mkdir(path.join(folder, 'missing')) };
}

function smtpMailer(port: number, journal: string): SmtpMailer {
  const mailer = new SmtpMailer({ host: '127.0.0.1', port, secure: false, from: FROM, timeoutMs: 5_000, journal });
  closers.push(() => mailer.close());
  return mailer;
}

const countBy = (values: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Object.fromEntries(counts);
};

test.each(['under a regular file', 'behind a link into a missing folder'] as const)(
  'a journal %s: the accepted message is sent once, the rest wait, nothing goes out twice',
  async (how) => {
    const { port, keys } = await relay();
    const ws = await trackerWithThreeMessages();
    const journal = await unwritableJournal(how);
    const mailer = smtpMailer(port, journal.file);

    const first = await ws.run('2026-11-23T08:00', { mailer });

    expect(first.notifications.map((n) => n.status).sort()).toEqual(['held', 'held', 'sent']);
    const sentKey = first.notifications.find((n) => n.status === 'sent')!.idempotencyKey;
    expect(keys).toEqual([sentKey]);
    expect(first.ok).toBe(false);
    expect(first.failures).toEqual([
      expect.stringMatching(new RegExp(`^2 messages held: mail\\.journal ${journal.file} cannot be written`)),
    ]);
    const logs = () => ws.logs.map((l) => JSON.parse(l) as LogLine);
    expect(logs().filter((l) => l.level === ERROR)).toEqual([
      expect.objectContaining({
        msg: 'sent, but the mailer could not record it',
        key: sentKey,
        error: expect.stringContaining(`mail.journal ${journal.file} cannot be written`),
      }),
      expect.objectContaining({ msg: 'mail stopped: messages held until the mailer can send again', held: 2 }),
    ]);
    expect(mailer.stopped()).toMatch(/^mail\.journal .* cannot be written .*: nothing more is sent until it can be/);

    // Later cycles plan the two held messages again and hold them again: the relay gets nothing more.
    for (const time of ['08:15', '08:30', '08:45']) {
      const again = await ws.run(`2026-11-23T${time}`, { mailer });
      expect(again.notifications.map((n) => n.status)).toEqual(['held', 'held']);
    }
    expect(keys).toEqual([sentKey]);
    // The accepted message is on record as sent; the held ones have no failed try to count toward giving up.
    const activity = await readAllRows(ws.tracker.path, 'Activity Log');
    const kinds = (kind: string) => activity.filter((r) => r.Kind === kind).map((r) => String(r['Idempotency Key']));
    expect(kinds('notification-sent')).toEqual([sentKey]);
    expect(kinds('notification-failed')).toEqual([]);

    await journal.fix();
    const fixed = await ws.run('2026-11-23T09:00', { mailer });

    expect(fixed.ok).toBe(true);
    expect(fixed.notifications.map((n) => n.status)).toEqual(['sent', 'sent']);
    const all = [sentKey, ...fixed.notifications.map((n) => n.idempotencyKey)];
    expect(countBy(keys)).toEqual(countBy(all));
    expect(new Set(all).size).toBe(3);
    // The line the journal could not take was written once it could.
    const lines = (await readFile(journal.file, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { key: string }).key).sort()).toEqual([...all].sort());
    expect(mailer.stopped()).toBeNull();
  },
);

test('/status shows a stopped mailer, and clears on the first tick after the journal is fixed', async () => {
  const { port, keys } = await relay();
  const ws = await trackerWithThreeMessages();
  const journal = await unwritableJournal('behind a link into a missing folder');
  const mailer = smtpMailer(port, journal.file);
  const logs: string[] = [];
  let now = localTime('2026-11-23T08:00');
  const runner = new ServiceRunner({
    deps: {
      config: ws.config,
      store: ws.tracker,
      restricted: ws.restricted,
      mailer,
      templates: await MailTemplates.load(),
      logger: createLogger({ destination: { write: (l: string) => logs.push(l) } }),
    },
    clock: () => now,
  });
  const { server, url } = await startStatusServer(() => runner.status(), { host: '127.0.0.1', port: 0 });
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  interface Status {
    mail: { transport: string; stopped: string | null };
    jobs: { job: string; lastOutcome: string | null; lastError: string | null }[];
  }
  const status = async () => (await (await fetch(`${url}/status`)).json()) as Status;

  await runner.tick();

  expect(keys).toHaveLength(1);
  const stopped = await status();
  expect(stopped.mail).toEqual({
    transport: `smtp 127.0.0.1:${port}`,
    stopped: expect.stringContaining(`mail.journal ${journal.file} cannot be written`),
  });
  expect(stopped.jobs.find((j) => j.job === 'reminders')).toMatchObject({
    lastOutcome: 'failed',
    lastError: expect.stringContaining('2 messages held: mail.journal'),
  });

  // A sync tick sends nothing, and still tries the journal again.
  now = localTime('2026-11-23T08:15');
  await runner.tick();
  expect((await status()).mail.stopped).toContain('mail.journal');
  await journal.fix();
  now = localTime('2026-11-23T08:30');
  await runner.tick();

  expect((await status()).mail).toEqual({ transport: `smtp 127.0.0.1:${port}`, stopped: null });
  expect(logs.map((l) => (JSON.parse(l) as LogLine).msg)).toContain(
    'the mailer can send again: held messages go out when their job next runs',
  );
  expect((await readFile(journal.file, 'utf8')).trim().split('\n')).toHaveLength(1);
  expect(keys).toHaveLength(1);
});
