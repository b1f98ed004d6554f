import { setTimeout as sleep } from 'node:timers/promises';
import type { Lease, LeaseControl } from '../../core/ports.ts';
import { holderIsGone } from '../file-lease.ts';
import { type MetaTable, ensureBaseLayout, listTables } from './provision.ts';
import { LEASE_FIELDS, LEASE_TABLE, LEASE_TABLE_SPEC } from './tables.ts';
import { AirtableApiError, type AirtableTransport } from './transport.ts';

const [HOLDER, EXPIRES, HEARTBEAT] = LEASE_FIELDS;

interface LeaseRecord {
  readonly id: string;
  readonly lease: Lease | null;
}

/**
 * A lease record on a `Lease` table. Airtable has no compare-and-set, so, as on Google Sheets, a lease
 * is taken by writing it, waiting for concurrent writers to land (`settleMs`), and reading it back:
 * the last writer wins and every contender sees the same winner. Contenders all write the same, first
 * record (the oldest): a second record made by a race is never read.
 */
export class AirtableLease implements LeaseControl {
  private readonly transport: AirtableTransport;
  private readonly settleMs: number;
  private table: MetaTable | undefined;

  constructor(options: { transport: AirtableTransport; settleMs?: number }) {
    this.transport = options.transport;
    this.settleMs = options.settleMs ?? 2000;
  }

  private async ensureTable(): Promise<MetaTable> {
    if (this.table) return this.table;
    let table = (await listTables(this.transport)).find((t) => t.name === LEASE_TABLE);
    if (!table) {
      try {
        await ensureBaseLayout(this.transport, [LEASE_TABLE_SPEC], []);
      } catch (error) {
        // Another instance created it a moment ago: that is what was wanted.
        if (!(error instanceof AirtableApiError && error.type === 'DUPLICATE_OR_EMPTY_TABLE_NAME')) throw error;
      }
      table = (await listTables(this.transport)).find((t) => t.name === LEASE_TABLE);
    }
    if (!table) throw new Error(`Could not create the "${LEASE_TABLE}" table in base ${this.transport.baseId}`);
    this.table = table;
    return table;
  }

  private async read(): Promise<LeaseRecord | null> {
    const table = await this.ensureTable();
    const answer = await this.transport.records<{
      records?: { id: string; createdTime?: string; fields: Record<string, unknown> }[];
    }>('read the lease', 'read', { path: `/${table.id}`, qs: { pageSize: 100, fields: [...LEASE_FIELDS] } });
    // The oldest record is the lease; records created in the same millisecond keep the order Airtable lists them in.
    const records = [...(answer.records ?? [])].sort((a, b) =>
      (a.createdTime ?? '').localeCompare(b.createdTime ?? ''),
    );
    const first = records[0];
    if (!first) return null;
    const holder = String(first.fields[HOLDER] ?? '');
    return {
      id: first.id,
      lease: holder
        ? { holder, expiresAt: String(first.fields[EXPIRES] ?? ''), heartbeatAt: String(first.fields[HEARTBEAT] ?? '') }
        : null,
    };
  }

  private async write(record: LeaseRecord | null, values: Record<string, string | null>): Promise<void> {
    const table = await this.ensureTable();
    if (record) {
      await this.transport.records('write the lease', 'write', {
        method: 'PATCH',
        path: `/${table.id}`,
        body: { records: [{ id: record.id, fields: values }] },
      });
      return;
    }
    await this.transport.records('write the lease', 'write', {
      method: 'POST',
      path: `/${table.id}`,
      body: { records: [{ fields: values }] },
    });
  }

  private values(holder: string, now: Date, ttlMs: number): Record<string, string> {
    return {
      [HOLDER]: holder,
      [EXPIRES]: new Date(now.getTime() + ttlMs).toISOString(),
      [HEARTBEAT]: now.toISOString(),
    };
  }

  async acquire(holder: string, now: Date, ttlMs: number): Promise<{ acquired: boolean; lease: Lease | null }> {
    const record = await this.read();
    const held = record?.lease ?? null;
    const free =
      !held || held.holder === holder || Date.parse(held.expiresAt) <= now.getTime() || holderIsGone(held.holder);
    if (!free) return { acquired: false, lease: held };
    await this.write(record, this.values(holder, now, ttlMs));
    await sleep(this.settleMs);
    const winner = (await this.read())?.lease ?? null;
    return { acquired: winner?.holder === holder, lease: winner };
  }

  async renew(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const record = await this.read();
    if (record?.lease?.holder !== holder) return false;
    await this.write(record, this.values(holder, now, ttlMs));
    return true;
  }

  async release(holder: string): Promise<void> {
    const record = await this.read();
    if (record?.lease?.holder === holder)
      await this.write(record, { [HOLDER]: null, [EXPIRES]: null, [HEARTBEAT]: null });
  }
}
