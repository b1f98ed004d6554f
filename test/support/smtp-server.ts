import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SmtpMailer } from '../../src/mail/smtp-mailer.ts';

export interface LocalSmtp {
  readonly port: number;
  /** Stops listening; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 at an ephemeral port, open to anyone and without STARTTLS, as the
 * tests' relays are: each test gives only how it answers (`onRcptTo`, `onData`, `onClose`, ...).
 */
export async function listenSmtp(options: SMTPServerOptions): Promise<LocalSmtp> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => (closed ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

/** A real relay that accepts everything and keeps the idempotency key of each message, in order. */
export async function keyRecordingRelay(): Promise<LocalSmtp & { readonly keys: string[] }> {
  const keys: string[] = [];
  const server = await listenSmtp({
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        keys.push(/^X-BUCP-Idempotency-Key: (.+)$/im.exec(raw)?.[1]?.trim() ?? '');
        callback();
      });
    },
  });
  return { ...server, keys };
}

/** A real relay answering as `options` say, and the service's SMTP mailer pointed at it; `close` stops both. */
export async function mailerOnRelay(
  options: SMTPServerOptions,
): Promise<{ mailer: SmtpMailer; close(): Promise<void> }> {
  const server = await listenSmtp(options);
  const mailer = new SmtpMailer({
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    from: 'bucp@localhost',
    timeoutMs: 5000,
  });
  return {
    mailer,
    close: async () => {
      await mailer.close();
      await server.close();
    },
  };
}
