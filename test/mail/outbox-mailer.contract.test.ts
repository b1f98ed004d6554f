import { mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { type Delivered, type MailerFixture, mailerContract } from '../contract/mailer.contract.ts';

const FROM = 'BUCP Tracker <bucp@chhs.example.gov>';

/** OutboxMailers on one folder in a temp folder; what was delivered is the .eml files in it. */
async function outboxFixture(): Promise<MailerFixture> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bucp-outbox-contract-'));
  const dir = path.join(folder, 'outbox');
  const aside = path.join(folder, 'outbox-aside');
  const mailers: OutboxMailer[] = [];
  return {
    from: FROM,
    open() {
      const mailer = new OutboxMailer({ dir, from: FROM });
      mailers.push(mailer);
      return mailer;
    },
    async delivered() {
      let files: string[] = [];
      try {
        files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
      } catch (error) {
        // No folder yet, or a regular file in its place: nothing was delivered.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      }
      const delivered: Delivered[] = [];
      for (const file of files) {
        const raw = await readFile(path.join(dir, file), 'utf8');
        delivered.push({
          key: /^X-BUCP-Idempotency-Key: (.+)$/im.exec(raw)?.[1]?.trim() ?? '',
          messageId: /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim() ?? '',
        });
      }
      return delivered;
    },
    provoke: {
      async temporary() {
        // A regular file where the outbox folder should be: no message can be written into it.
        const existed = await rename(dir, aside).then(
          () => true,
          () => false,
        );
        await writeFile(dir, 'not a folder\n');
        return async () => {
          await rm(dir);
          if (existed) await rename(aside, dir);
        };
      },
      async unrecorded() {
        // index.jsonl points into a folder that does not exist: it reads as empty and cannot be written,
        // while the outbox folder itself takes the .eml files.
        await mkdir(dir, { recursive: true });
        await symlink(path.join(folder, 'missing', 'index.jsonl'), path.join(dir, 'index.jsonl'));
        return () => rm(path.join(dir, 'index.jsonl'));
      },
    },
    async close() {
      for (const mailer of mailers.splice(0)) await mailer.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

mailerContract('outbox folder', {
  makeFixture: outboxFixture,
  cannot: {
    permanent: 'a folder takes every message, or fails for a reason that passes (a full or unwritable disk)',
    unknown: 'a file write completes or fails, so the outbox always knows whether it wrote a message',
  },
});
