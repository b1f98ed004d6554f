import { appendFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMessage, SendOutcome } from '../core/ports.ts';
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
  private sentKeys: Map<string, string> | undefined;

  constructor(options: { dir: string; from: string }) {
    this.dir = path.resolve(options.dir);
    this.from = options.from;
  }

  describe(): string {
    return `outbox ${this.dir}`;
  }

  get indexPath(): string {
    return path.join(this.dir, 'index.jsonl');
  }

  async entries(): Promise<OutboxEntry[]> {
    let text = '';
    try {
      text = await readFile(this.indexPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries: OutboxEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as OutboxEntry);
      } catch {
        // A torn last line from a crash mid-append: the message file may exist, the entry does not.
      }
    }
    return entries;
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    if (!this.sentKeys) this.sentKeys = new Map((await this.entries()).map((e) => [e.key, e.messageId]));
    const already = this.sentKeys.get(message.key);
    if (already) return { status: 'sent', messageId: already, duplicate: true };
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
      // After a crash mid-append the index may end in a torn line: start on a fresh one.
      const torn = await endsWithoutNewline(this.indexPath);
      await appendFile(this.indexPath, `${torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
      this.sentKeys.set(message.key, messageId);
      return { status: 'sent', messageId };
    } catch (error) {
      return { status: 'failed', error: (error as Error).message, permanent: false };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

async function endsWithoutNewline(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}
