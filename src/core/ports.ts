import type { ActivityEvent } from './activity.ts';
import type { RestrictedRecord, StaffImportPlan } from './import-plan.ts';
import type { SheetTable } from './cells.ts';
import type { WorkbookLayout } from './layout.ts';
import type { SummaryTable } from './metrics.ts';
import type { RowIssue } from './schema.ts';
import type { CellWrite } from './system-cells.ts';

/** Everything a cycle reads from the tracker, in one read. */
export interface TrackerSnapshot {
  readonly proposals: SheetTable;
  readonly disputes: SheetTable;
  /** The Tasks tab; no rows when the tracker has no Tasks tab yet (see `layoutWarnings`). */
  readonly tasks: SheetTable;
  /** The Activity Log, oldest line first: the memory the core folds. */
  readonly activity: SheetTable;
  /** Layout problems (a missing tab or header) that `bucp init` repairs. */
  readonly layoutProblems: readonly string[];
  /**
   * Optional tabs (`OPTIONAL_TABS`) the tracker lacks. They do not stop a cycle: each is a warning on
   * the Issues tab and in the logs, and `bucp init` adds it.
   */
  readonly missingOptionalTabs?: readonly string[];
  /** How full the store is, where it has a hard limit the Activity Log can reach. */
  readonly capacity?: StoreCapacity;
}

/** A store's hard limit on what it holds, and how much of it is used (at least). */
export interface StoreCapacity {
  readonly used: number;
  readonly limit: number;
  /** The limit in words, e.g. "Google's limit of 10,000,000 cells per spreadsheet". */
  readonly limitName: string;
}

/** Everything a cycle writes, in one write. Empty plans write nothing. */
export interface WritePlan {
  readonly cells: readonly CellWrite[];
  readonly appendActivity: readonly ActivityEvent[];
  /** The Issues tab, rewritten whole; `undefined` leaves it as it is. */
  readonly issues?: readonly RowIssue[];
  /** Summary tabs, rewritten whole. */
  readonly summaries?: readonly SummaryTable[];
}

export interface WriteResult {
  readonly cellsWritten: number;
  readonly rowsAppended: number;
  /** IDs a cell write could not find any more (a row deleted between read and write). */
  readonly missingIds: readonly string[];
  /** How many times the write started over because staff saved the file in between. */
  readonly retriedAfterConcurrentEdit: number;
}

export interface LayoutReport {
  readonly created: readonly string[];
  readonly repaired: readonly string[];
  /** What was taken away: only ever empty grid the tracker does not use. */
  readonly removed?: readonly string[];
}

/** Who may write and send right now: one instance per tracker. */
export interface Lease {
  readonly holder: string;
  readonly expiresAt: string;
  readonly heartbeatAt: string;
}

export interface LeaseControl {
  /** Takes the lease when it is free, expired or already ours; otherwise says who holds it. */
  acquire(holder: string, now: Date, ttlMs: number): Promise<{ acquired: boolean; lease: Lease | null }>;
  /** Extends our lease; false when it is no longer ours. */
  renew(holder: string, now: Date, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** The shared tracker: a workbook or a Google spreadsheet. */
export interface TrackerStore {
  readonly kind: string;
  /** Creates what is missing (tabs, headers, dropdowns, highlights). Never changes staff data. */
  ensureLayout(layout: WorkbookLayout): Promise<LayoutReport>;
  read(): Promise<TrackerSnapshot>;
  write(plan: WritePlan): Promise<WriteResult>;
  /** A link a person can open to land on a row. */
  rowLink(tab: string, id: string, rowNumber: number): string;
  /** A description for messages, such as the file path. */
  describe(): string;
  /** The store's lease, where it has one. */
  readonly lease?: LeaseControl;
  /** What `bucp init` cannot set up through the store's API, for a person to do once (printed by init). */
  readonly manualSteps?: readonly string[];
}

/**
 * The restricted store. Its port answers only which proposals have a record: the content
 * (Specialized Security, Specialized Privacy, Known Risks, Department Positions) never crosses it.
 */
export interface RestrictedStore {
  ensureLayout(layout: WorkbookLayout): Promise<LayoutReport>;
  recordIds(): Promise<ReadonlySet<string>>;
  describe(): string;
}

/**
 * Where `bucp import` writes staff data: the one path that writes staff cells, used only by import.
 * A cycle's `TrackerStore.write` stays limited to system cells; the stores implement this beside it.
 */
export interface StaffImportTarget {
  /**
   * Appends the new rows and fills cells of existing rows, found by BUCP ID at write time, in one
   * write (per tab) however many rows there are.
   */
  importStaff(plan: StaffImportPlan): Promise<StaffImportResult>;
}

export interface StaffImportResult {
  readonly rowsAdded: number;
  readonly cellsFilled: number;
  /** IDs of fills whose row was gone at write time (deleted since the read). */
  readonly missingIds: readonly string[];
  /**
   * Cells the store could not hold and left empty, with why: an Airtable date field refuses text that
   * a workbook keeps as typed. Absent where the store keeps every value.
   */
  readonly refused?: readonly { readonly id: string; readonly column: string; readonly reason: string }[];
}

/**
 * Where `bucp import` puts restricted content. The store merges it with what it holds itself (empty
 * cells filled, differing ones reported, replaced only when overwriting), so the content never comes
 * back across the port: the result names IDs and columns, never values.
 */
export interface RestrictedImportTarget {
  importRecords(
    records: readonly RestrictedRecord[],
    options: { readonly overwrite: boolean; readonly dryRun: boolean },
  ): Promise<RestrictedImportResult>;
}

export interface RestrictedImportResult {
  readonly added: readonly string[];
  readonly filled: readonly { readonly id: string; readonly column: string }[];
  readonly conflicts: readonly { readonly id: string; readonly column: string; readonly overwritten: boolean }[];
  readonly unchanged: number;
}

export interface OutgoingMessage {
  readonly key: string;
  readonly kind: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export type SendOutcome =
  | {
      readonly status: 'sent';
      readonly messageId: string;
      readonly duplicate?: boolean;
      /** Recipients the relay refused while it accepted the others. */
      readonly rejected?: readonly string[];
      /**
       * The message went out, but the mailer could not put it on its own record (the SMTP journal):
       * why, and what to do. The mailer sends nothing more until it can.
       */
      readonly recordError?: string;
    }
  | { readonly status: 'failed'; readonly error: string; readonly permanent: boolean }
  | { readonly status: 'unknown'; readonly error: string };

export interface Mailer {
  readonly kind: string;
  send(message: OutgoingMessage): Promise<SendOutcome>;
  close(): Promise<void>;
  describe(): string;
  /**
   * A mailer that keeps its own record of what it sent stops when it cannot write that record, rather
   * than risk sending a message twice, and refuses every send meanwhile. This tries the record again,
   * and says why the mailer is still stopped, or null when it sends.
   */
  recheck?(): Promise<string | null>;
  /** Why the mailer is stopped, as last found, without trying again; null when it sends. */
  stopped?(): string | null;
}

/** One post to a team chat channel: its key, what it is, and the ready JSON body. */
export interface ChatPost {
  readonly key: string;
  readonly kind: string;
  readonly body: unknown;
}

/**
 * A team chat channel's incoming webhook: a Microsoft Teams Workflows flow or a Google Chat space.
 * The sender holds the URL, a secret: nothing it returns or throws contains it.
 */
export interface ChatSender {
  readonly kind: 'teams' | 'google-chat';
  /** The channel's name from the config. */
  readonly channel: string;
  post(post: ChatPost): Promise<SendOutcome>;
  /** The channel for messages: its kind, name and host, never the URL. */
  describe(): string;
}
