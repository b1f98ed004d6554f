import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMessage, SendOutcome } from '../core/ports.ts';
import { type JournalLabel, SentJournal } from './journal.ts';
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

const OUTBOX_INDEX: JournalLabel = {
  name: 'the outbox index',
  remedy: 'Make the outbox folder (mail.dir) and its index.jsonl writable.',
};

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
    this.index = new SentJournal<OutboxEntry>(path.join(this.dir, 'index.jsonl'), OUTBOX_INDEX);
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
    // As over SMTP: an index that could not take the last message stops the outbox.
    const stopped = await this.recheck();
    if (stopped) return { status: 'failed', error: stopped, permanent: false };
    const already = await this.index.get(message.key);
    if (already) return { status: 'sent', messageId: already.messageId, duplicate: true };
    const messageId = messageIdFor(message.key, this.from);
    const at = new Date().toISOString();
    const file = `${at.replace(/[:.]/g, '-')}-${messageId.slice(1, 13)}.eml`;
    try {
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
      await writeFile(path.join(this.dir, file), info.message as Buffer);
    } catch (error) {
      return { status: 'failed', error: (error as Error).message, permanent: false };
    }
    // The .eml is in the outbox: the message is sent, whatever happens to the index now.
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
    const recordError = await this.index.record(entry);
    return { status: 'sent', messageId, ...(recordError ? { recordError } : {}) };
  }

  async recheck(): Promise<string | null> {
    return this.index.recheck();
  }

  stopped(): string | null {
    return this.index.stopped();
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
