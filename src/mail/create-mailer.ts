import type { Config } from '../core/config.ts';
import type { Mailer } from '../core/ports.ts';
import { SentJournal } from './journal.ts';
import { OutboxMailer } from './outbox-mailer.ts';
import { SMTP_JOURNAL, SmtpMailer } from './smtp-mailer.ts';

export function createMailer(mail: Config['mail'], env: NodeJS.ProcessEnv = process.env): Mailer {
  if (mail.kind === 'outbox') return new OutboxMailer({ dir: mail.dir, from: mail.from });
  return new SmtpMailer({
    host: mail.host,
    port: mail.port,
    secure: mail.secure,
    user: mail.user,
    password: env[mail.passwordEnv],
    from: mail.from,
    timeoutMs: mail.timeoutMs,
    allowSelfSigned: mail.allowSelfSigned,
    journal: mail.journal,
  });
}

/**
 * Checks, before anything is sent, that the SMTP journal can be read and written, so a service set
 * up without a writable place for it fails at once rather than at its first accepted message.
 * Throws a JournalError that names `mail.journal` and its path. The outbox has no journal to check.
 */
export async function verifyMailer(mail: Config['mail']): Promise<void> {
  if (mail.kind === 'smtp' && mail.journal) await new SentJournal(mail.journal, SMTP_JOURNAL).probe();
}
