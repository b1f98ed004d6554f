import type { Config } from '../core/config.ts';
import type { Mailer } from '../core/ports.ts';
import { OutboxMailer } from './outbox-mailer.ts';
import { SmtpMailer } from './smtp-mailer.ts';

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
