import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * An append-only JSON-lines file of what a transport has handed over, one line per idempotency key.
 * It is written right after a send succeeds, so a crash before the Activity Log
 * records the send cannot lead to a second copy.
 */
export class SentJournal<T extends { readonly key: string }> {
  readonly file: string;
  private keys: Map<string, T> | undefined;

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  async entries(): Promise<T[]> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries: T[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as T);
      } catch {
        // A torn last line from a crash mid-append: that send is not on record here.
      }
    }
    return entries;
  }

  async get(key: string): Promise<T | undefined> {
    this.keys ??= new Map((await this.entries()).map((e) => [e.key, e]));
    return this.keys.get(key);
  }

  async append(entry: T): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    // After a crash mid-append the file may end in a torn line: start on a fresh one.
    const torn = await endsWithoutNewline(this.file);
    // Not fsync'd: a killed process loses nothing already written, and a flush would widen the window
    // between the relay's acceptance and this record. Only an OS crash could lose the last lines.
    await appendFile(this.file, `${torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
    this.keys ??= new Map((await this.entries()).map((e) => [e.key, e]));
    this.keys.set(entry.key, entry);
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
