import nodemailer, { type SentMessageInfo, type Transporter } from 'nodemailer';
import type { Mailer, OutgoingMessage, SendOutcome } from '../core/ports.ts';
import { isPermanentSmtpFailure } from '../core/smtp-status.ts';
import { type JournalLabel, SentJournal } from './journal.ts';
import { messageIdFor } from './message-id.ts';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly timeoutMs: number;
  readonly allowSelfSigned?: boolean;
  /** Where accepted sends are journaled; without it, a crash right after a send may repeat it. */
  readonly journal?: string;
}

export const SMTP_JOURNAL: JournalLabel = {
  name: 'mail.journal',
  remedy:
    "Make its folder writable by the service's user, or set mail.journal to a file in a writable folder " +
    '(under systemd, leave it out: it then goes in the state directory, $STATE_DIRECTORY).',
};

interface JournalEntry {
  readonly key: string;
  readonly messageId: string;
  readonly at: string;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
  /** nodemailer tags every timeout ETIMEDOUT and says here which one it was. */
  timeoutType?: string;
}

/** Sends through an SMTP relay with a pooled connection. */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly options: SmtpOptions;
  private readonly transport: Transporter;
  private readonly journal: SentJournal<JournalEntry> | undefined;

  constructor(options: SmtpOptions) {
    this.options = options;
    this.journal = options.journal ? new SentJournal<JournalEntry>(options.journal, SMTP_JOURNAL) : undefined;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 2,
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
      // The setup phases get half the budget, so a relay that never answers is caught as a connect or
      // greeting timeout (nothing handed over) before the idle-socket timer, which means "unknown".
      connectionTimeout: Math.max(1, Math.floor(options.timeoutMs / 2)),
      greetingTimeout: Math.max(1, Math.floor(options.timeoutMs / 2)),
      socketTimeout: options.timeoutMs,
      tls: options.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    });
  }

  describe(): string {
    return `smtp ${this.options.host}:${this.options.port}`;
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    // A journal that could not take the last acceptance stops the mailer: a message sent now would
    // have no record either, and a restart would send it again.
    const stopped = await this.recheck();
    if (stopped) return { status: 'failed', error: stopped, permanent: false };
    const already = await this.journal?.get(message.key);
    if (already) return { status: 'sent', messageId: already.messageId, duplicate: true };
    let info: SentMessageInfo;
    try {
      info = await this.transport.sendMail({
        from: this.options.from,
        to: [...message.to],
        cc: [...message.cc],
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.key, this.options.from),
        headers: { 'X-BUCP-Idempotency-Key': message.key, 'X-BUCP-Kind': message.kind },
      });
    } catch (error) {
      return classifySmtpError(error as SmtpError);
    }
    // The relay took the message: it is sent, whatever happens to the journal now.
    const rejected = ((info.rejected ?? []) as (string | { address: string })[]).map((r) =>
      typeof r === 'string' ? r : r.address,
    );
    const recordError = await this.journal?.record({
      key: message.key,
      messageId: info.messageId,
      at: new Date().toISOString(),
    });
    return {
      status: 'sent',
      messageId: info.messageId,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(recordError ? { recordError } : {}),
    };
  }

  async recheck(): Promise<string | null> {
    return (await this.journal?.recheck()) ?? null;
  }

  stopped(): string | null {
    return this.journal?.stopped() ?? null;
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * 5xx is permanent, 4xx and refused connections are worth retrying (see isPermanentSmtpFailure), and a
 * timeout once the message was under way is "outcome unknown": the relay may have taken it, so it must
 * not be resent blindly.
 */
export function classifySmtpError(error: SmtpError): SendOutcome {
  const text = `${error.responseCode ? `${error.responseCode} ` : ''}${error.message}`;
  const replied = error.responseCode !== undefined && error.responseCode >= 400;
  // A timeout while connecting or greeting means nothing was handed over; an idle socket later on
  // may mean the relay took the message and never said so.
  if (!replied && error.code === 'ETIMEDOUT' && error.timeoutType === 'SOCKET_TIMEOUT')
    return { status: 'unknown', error: text };
  return { status: 'failed', error: text, permanent: isPermanentSmtpFailure(text, error.responseCode) };
}
