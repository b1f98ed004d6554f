import { setTimeout as sleep } from 'node:timers/promises';
import type { sheets_v4 } from '@googleapis/sheets';
import type { Lease, LeaseControl } from '../../core/ports.ts';
import { holderIsGone } from '../file-lease.ts';
import { type SheetsCall, SheetsApiError } from './transport.ts';

const TAB = 'Lease';
const RANGE = `'${TAB}'!A2:C2`;

/**
 * A lease row on a `Lease` tab. Sheets has no compare-and-set, so a lease is taken by writing it,
 * waiting for concurrent writers to land (`settleMs`), and reading it back: the last writer wins and
 * every contender sees the same winner. The settle time must exceed the spread of write latencies.
 */
export class SheetsLease implements LeaseControl {
  private readonly api: sheets_v4.Sheets;
  private readonly spreadsheetId: string;
  private readonly call: SheetsCall;
  private readonly settleMs: number;
  private tabReady = false;

  constructor(options: { api: sheets_v4.Sheets; spreadsheetId: string; call: SheetsCall; settleMs?: number }) {
    this.api = options.api;
    this.spreadsheetId = options.spreadsheetId;
    this.call = options.call;
    this.settleMs = options.settleMs ?? 2000;
  }

  private async ensureTab(): Promise<void> {
    if (this.tabReady) return;
    const meta = await this.call('spreadsheets.get', () =>
      this.api.spreadsheets.get({ spreadsheetId: this.spreadsheetId, fields: 'sheets.properties.title' }),
    );
    if (!(meta.sheets ?? []).some((s) => s.properties?.title === TAB)) {
      try {
        await this.addTab();
      } catch (error) {
        // Another instance created it a moment ago: that is what was wanted.
        if (!(error instanceof SheetsApiError && /already exists/i.test(error.message))) throw error;
        this.tabReady = true;
        return;
      }
      await this.write([['Holder', 'Expires At', 'Heartbeat At']], `'${TAB}'!A1:C1`);
    }
    this.tabReady = true;
  }

  private async addTab(): Promise<void> {
    await this.call('spreadsheets.batchUpdate', () =>
      this.api.spreadsheets.batchUpdate({
        spreadsheetId: this.spreadsheetId,
        requestBody: {
          requests: [{ addSheet: { properties: { title: TAB, gridProperties: { rowCount: 10, columnCount: 3 } } } }],
        },
      }),
    );
  }

  private async read(): Promise<Lease | null> {
    const data = await this.call('values.get', () =>
      this.api.spreadsheets.values.get({ spreadsheetId: this.spreadsheetId, range: RANGE }),
    );
    const [holder, expiresAt, heartbeatAt] = ((data.values ?? [])[0] ?? []).map(String);
    return holder ? { holder, expiresAt: expiresAt ?? '', heartbeatAt: heartbeatAt ?? '' } : null;
  }

  private async write(values: string[][], range = RANGE): Promise<void> {
    await this.call('values.update', () =>
      this.api.spreadsheets.values.update({
        spreadsheetId: this.spreadsheetId,
        range,
        valueInputOption: 'RAW',
        requestBody: { values },
      }),
    );
  }

  private row(holder: string, now: Date, ttlMs: number): string[] {
    return [holder, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString()];
  }

  async acquire(holder: string, now: Date, ttlMs: number): Promise<{ acquired: boolean; lease: Lease | null }> {
    await this.ensureTab();
    const held = await this.read();
    const free =
      !held || held.holder === holder || Date.parse(held.expiresAt) <= now.getTime() || holderIsGone(held.holder);
    if (!free) return { acquired: false, lease: held };
    await this.write([this.row(holder, now, ttlMs)]);
    await sleep(this.settleMs);
    const winner = await this.read();
    return { acquired: winner?.holder === holder, lease: winner };
  }

  async renew(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const held = await this.read();
    if (held?.holder !== holder) return false;
    await this.write([this.row(holder, now, ttlMs)]);
    return true;
  }

  async release(holder: string): Promise<void> {
    const held = await this.read();
    if (held?.holder === holder) await this.write([['', '', '']]);
  }
}
