import { appendFile, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How a journal is named in its messages, and what to do when it cannot be used. */
export interface JournalLabel {
  /** The setting it comes from, as a person would look it up: `mail.journal`. */
  readonly name: string;
  readonly remedy: string;
}

/** A journal that cannot be read or written: the message names its setting, its path and the fix. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
}

/**
 * An append-only JSON-lines file of what a transport has handed over, one line per idempotency key.
 * It is written right after a send succeeds, so a crash before the Activity Log
 * records the send cannot lead to a second copy.
 *
 * A line that cannot be written is kept in memory, and the journal says it is stopped until a
 * `recheck` writes it: its owner sends nothing more meanwhile. The message went out all the same;
 * what is lost while the file cannot take it is only the crash safety the file gives.
 */
export class SentJournal<T extends { readonly key: string }> {
  readonly file: string;
  private readonly label: JournalLabel;
  private keys: Map<string, T> | undefined;
  /** Entries handed over whose line is not in the file yet, oldest first. */
  private unwritten: T[] = [];
  private problem: string | null = null;

  constructor(file: string, label: JournalLabel) {
    this.file = path.resolve(file);
    this.label = label;
  }

  /** The entries in the file. A file that does not exist, or cannot (under a regular file), holds none. */
  async entries(): Promise<T[]> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
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

  /** The entry for a key: in the file, or handed over and not written yet. */
  async get(key: string): Promise<T | undefined> {
    return (await this.load()).get(key) ?? this.unwritten.find((e) => e.key === key);
  }

  /** Why the journal stops its owner from sending, as last found; null when it does not. */
  stopped(): string | null {
    return this.problem;
  }

  /** Reads the file if it has not been read, writes what is waiting, and says why it is still stopped, or null. */
  async recheck(): Promise<string | null> {
    let keys: Map<string, T>;
    try {
      keys = await this.load();
    } catch (error) {
      return (this.problem = this.describe('read', error));
    }
    if (this.unwritten.length > 0) {
      try {
        await this.write(this.unwritten);
      } catch (error) {
        return (this.problem = this.describe('written', error));
      }
      for (const entry of this.unwritten) keys.set(entry.key, entry);
      this.unwritten = [];
    }
    return (this.problem = null);
  }

  /**
   * Puts a sent message on record. It never throws: the message is out whatever happens here, and it
   * counts as on record for this process at once. When the file cannot take the line, this says
   * why, and the journal stays stopped until a `recheck` writes it.
   */
  async record(entry: T): Promise<string | null> {
    this.unwritten.push(entry);
    return this.recheck();
  }

  /**
   * Checks, before anything is sent, that the journal can be read and written: the file itself when
   * it exists, else a probe file in its folder (created when missing). Throws a JournalError.
   */
  async probe(): Promise<void> {
    const problem = await this.recheck();
    if (problem) throw new JournalError(problem);
    try {
      await makeFolder(path.dirname(this.file));
      try {
        await (await open(this.file, 'r+')).close();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // A probe rather than the journal itself, so a check leaves nothing behind but the folder.
        const probe = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.probe`);
        await writeFile(probe, '');
        await unlink(probe);
      }
    } catch (error) {
      throw new JournalError(this.describe('written', error));
    }
  }

  private async load(): Promise<Map<string, T>> {
    this.keys ??= new Map((await this.entries()).map((e) => [e.key, e]));
    return this.keys;
  }

  private async write(entries: readonly T[]): Promise<void> {
    await makeFolder(path.dirname(this.file));
    // After a crash mid-append the file may end in a torn line: start on a fresh one.
    const torn = await endsWithoutNewline(this.file);
    // Not fsync'd: a killed process loses nothing already written, and a flush would widen the window
    // between the relay's acceptance and this record. Only an OS crash could lose the last lines.
    await appendFile(this.file, `${torn ? '\n' : ''}${entries.map((e) => `${JSON.stringify(e)}\n`).join('')}`);
  }

  private describe(what: 'read' | 'written', error: unknown): string {
    const cause = (error as Error).message;
    const consequence =
      what === 'read'
        ? 'nothing is sent until it can be, as it is the record of what was sent already'
        : 'nothing more is sent until it can be, so that no message goes out twice';
    return `${this.label.name} ${this.file} cannot be ${what} (${cause}): ${consequence}. ${this.label.remedy}`;
  }
}

/** `mkdir -p` that fails with the real cause. */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Node's recursive mkdir says ENOENT whatever stopped it, a read-only file system included: one
  // folder at a time, the first that cannot be made says why.
  const missing: string[] = [];
  for (let folder = dir; !(await exists(folder)) && path.dirname(folder) !== folder; folder = path.dirname(folder)) {
    missing.unshift(folder);
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
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
