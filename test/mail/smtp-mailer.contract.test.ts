import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SmtpMailer } from '../../src/mail/smtp-mailer.ts';
import { type Delivered, type MailerFixture, mailerContract } from '../contract/mailer.contract.ts';
import { listenSmtp } from '../support/smtp-server.ts';

const FROM = 'BUCP Tracker <bucp@chhs.example.gov>';

/** How the relay answers: as relays do, or with a 451 or a 550, or not at all once it has the message. */
type Answer = 'accept' | 'temporary' | 'permanent' | 'silent';

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** A real SMTP relay on 127.0.0.1, and SmtpMailers journaling to one file in a temp folder. */
async function smtpFixture(): Promise<MailerFixture> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bucp-smtp-contract-'));
  // The journal's folder does not exist until the first message is journaled.
  const journalFolder = path.join(folder, 'state');
  const delivered: Delivered[] = [];
  let answer: Answer = 'accept';
  const server = await listenSmtp({
    closeTimeout: 1_000,
    onRcptTo(_address, _session, callback) {
      if (answer === 'temporary') return callback(smtpError(451, 'Mailbox busy, try again later'));
      return callback();
    },
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        if (answer === 'permanent') return callback(smtpError(550, 'Message refused'));
        delivered.push({
          key: /^X-BUCP-Idempotency-Key: (.+)$/im.exec(raw)?.[1]?.trim() ?? '',
          messageId: /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim() ?? '',
        });
        // The whole message is here; the reply to the end of DATA never comes.
        if (answer === 'silent') return;
        return callback();
      });
    },
  });
  const mailers: SmtpMailer[] = [];
  const answering = (given: Answer) => async () => {
    answer = given;
    return async () => {
      answer = 'accept';
    };
  };
  return {
    from: FROM,
    open() {
      const mailer = new SmtpMailer({
        host: '127.0.0.1',
        port: server.port,
        secure: false,
        from: FROM,
        // Short, for the silent relay: the connect and greeting phases get half of it each.
        timeoutMs: 2_000,
        journal: path.join(journalFolder, 'smtp-sent.jsonl'),
      });
      mailers.push(mailer);
      return mailer;
    },
    delivered: async () => [...delivered],
    provoke: {
      temporary: answering('temporary'),
      permanent: answering('permanent'),
      unknown: answering('silent'),
      async unrecorded() {
        // A regular file where the journal's folder should be: nothing can be created under it.
        await writeFile(journalFolder, 'not a folder\n');
        return () => rm(journalFolder);
      },
    },
    async close() {
      // Mailers first: a pooled connection left open would hold the server's close up.
      for (const mailer of mailers.splice(0)) await mailer.close();
      await server.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

mailerContract('SMTP relay', { makeFixture: smtpFixture });
