import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, OutgoingMessage, SendOutcome } from '../core/ports.ts';
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
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/** Sends through an SMTP relay with a pooled connection. */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly options: SmtpOptions;
  private readonly transport: Transporter;

  constructor(options: SmtpOptions) {
    this.options = options;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 2,
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      tls: options.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    });
  }

  describe(): string {
    return `smtp ${this.options.host}:${this.options.port}`;
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: [...message.to],
        cc: [...message.cc],
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.key, this.options.from),
        headers: { 'X-BUCP-Idempotency-Key': message.key, 'X-BUCP-Kind': message.kind },
      });
      return { status: 'sent', messageId: info.messageId };
    } catch (error) {
      return classifySmtpError(error as SmtpError);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * 5xx is permanent, 4xx and refused connections are worth retrying, and a timeout once the message
 * was under way is "outcome unknown": the relay may have taken it, so it must not be resent blindly.
 */
export function classifySmtpError(error: SmtpError): SendOutcome {
  const text = `${error.responseCode ? `${error.responseCode} ` : ''}${error.message}`;
  if (error.responseCode && error.responseCode >= 500) return { status: 'failed', error: text, permanent: true };
  if (error.responseCode && error.responseCode >= 400) return { status: 'failed', error: text, permanent: false };
  // A timeout while connecting means nothing was handed over; one later may mean it was.
  if (error.code === 'ETIMEDOUT' && error.command !== 'CONN') return { status: 'unknown', error: text };
  return { status: 'failed', error: text, permanent: false };
}
