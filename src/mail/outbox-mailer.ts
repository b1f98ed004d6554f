import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMessage, SendOutcome } from '../core/ports.ts';
import { SentJournal } from './journal.ts';
import { messageIdFor } from './message-id.ts';

export interface OutboxEntry {
  readonly messageId: string;
  readonly at: string;
  readonly kind: string;
  readonly key: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly file: string;
}

/**
 * The default transport: each message is rendered by nodemailer into a real .eml file, and listed
 * in index.jsonl. The index doubles as a record of what was sent, so a key is never written twice.
 */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  readonly dir: string;
  private readonly from: string;
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  private readonly index: SentJournal<OutboxEntry>;

  constructor(options: { dir: string; from: string }) {
    this.dir = path.resolve(options.dir);
    this.from = options.from;
    this.index = new SentJournal<OutboxEntry>(path.join(this.dir, 'index.jsonl'));
  }

  describe(): string {
    return `outbox ${this.dir}`;
  }

  get indexPath(): string {
    return path.join(this.dir, 'index.jsonl');
  }

  async entries(): Promise<OutboxEntry[]> {
    return this.index.entries();
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const already = await this.index.get(message.key);
    if (already) return { status: 'sent', messageId: already.messageId, duplicate: true };
    try {
      const messageId = messageIdFor(message.key, this.from);
      const info = await this.transport.sendMail({
        from: this.from,
        to: [...message.to],
        cc: [...message.cc],
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
        headers: { 'X-BUCP-Idempotency-Key': message.key, 'X-BUCP-Kind': message.kind },
      });
      await mkdir(this.dir, { recursive: true });
      const at = new Date().toISOString();
      const file = `${at.replace(/[:.]/g, '-')}-${messageId.slice(1, 13)}.eml`;
      await writeFile(path.join(this.dir, file), info.message as Buffer);
      const entry: OutboxEntry = {
        messageId,
        at,
        kind: message.kind,
        key: message.key,
        to: message.to,
        cc: message.cc,
        subject: message.subject,
        file,
      };
      await this.index.append(entry);
      return { status: 'sent', messageId };
    } catch (error) {
      return { status: 'failed', error: (error as Error).message, permanent: false };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
