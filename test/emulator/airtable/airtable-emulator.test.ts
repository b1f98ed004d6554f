/**
 * Drives the Airtable emulator only through the real `airtable` client (airtable.js 0.12.2)
 * and plain `fetch` to the Metadata API, as the store will.
 *
 * The client is pointed at the emulator with `endpointUrl` and built with
 * `noRetryIfRateLimited: true`, so each call is exactly one HTTP exchange. Its
 * `AirtableError` is not an `Error`: `failure()` returns whatever was thrown.
 */
import Airtable, { type FieldSet } from 'airtable';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AirtableEmulator, type TableSeed } from './airtable-emulator.ts';

interface AirtableFailure {
  error: string;
  message: string;
  statusCode: number;
}

export async function failure(promise: Promise<unknown>): Promise<AirtableFailure> {
  try {
    await promise;
  } catch (e) {
    return e as AirtableFailure;
  }
  throw new Error('expected the call to fail');
}

const TOKEN = 'patEmulatorTest.full';

const PROPOSALS: TableSeed = {
  name: 'Proposals',
  fields: [
    { name: 'BUCP ID', type: 'singleLineText' },
    { name: 'Title', type: 'multilineText' },
    { name: 'Owner Email', type: 'email' },
    { name: 'Link', type: 'url' },
    { name: 'Submitted', type: 'date', options: { dateFormat: { name: 'iso' } } },
    { name: 'Days Open', type: 'number', options: { precision: 0 } },
    { name: 'Status', type: 'singleSelect', options: { choices: [{ name: 'Draft' }, { name: 'Submitted' }] } },
    { name: 'Escalated', type: 'checkbox', options: { icon: 'check', color: 'greenBright' } },
  ],
};

function client(endpointUrl: string, token = TOKEN): Airtable {
  return new Airtable({ apiKey: token, endpointUrl, noRetryIfRateLimited: true, requestTimeout: 5_000 });
}

async function meta(emu: AirtableEmulator, path: string, init: RequestInit = {}, token = TOKEN): Promise<Response> {
  return fetch(`${emu.endpointUrl}/v0/meta${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
}

describe('AirtableEmulator through airtable.js', () => {
  const emu = new AirtableEmulator({
    tokens: {
      [TOKEN]: { bases: '*' },
      'pat.readonly': { bases: '*', scopes: ['data.records:read', 'schema.bases:read'] },
      'pat.otherbase': { bases: ['appNotThisOne0000'] },
    },
    rateLimit: false,
  });
  let baseId: string;
  let at: Airtable;

  beforeAll(async () => {
    await emu.start();
    at = client(emu.endpointUrl);
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    emu.clearFaults();
    emu.setRateLimit(false);
    baseId = emu.createBase({ name: 'Tracker', tables: [PROPOSALS] });
    emu.resetCalls();
  });

  it('creates, lists and patches records, leaving empty fields out', async () => {
    const table = at.base(baseId)('Proposals');
    const created = await table.create([
      { fields: { 'BUCP ID': 'B-1', Title: 'First', Status: 'Draft', Escalated: false, Link: '' } },
      { fields: { 'BUCP ID': 'B-2', 'Days Open': 3, Submitted: '2026-12-01' } },
    ]);
    expect(created.map((r) => r.id)).toEqual([expect.stringMatching(/^rec[A-Za-z0-9]{14}$/), expect.any(String)]);
    expect(created[0]!.fields).toEqual({ 'BUCP ID': 'B-1', Title: 'First', Status: 'Draft' });
    expect(created[0]!._rawJson.createdTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    // null clears a cell; airtable.js's FieldSet type does not admit it, the API does.
    const clear = { Escalated: true, 'Days Open': null } as unknown as FieldSet;
    const updated = await table.update([{ id: created[1]!.id, fields: clear }]);
    expect(updated[0]!.fields).toEqual({ 'BUCP ID': 'B-2', Submitted: '2026-12-01', Escalated: true });

    const all = await table.select({ pageSize: 100 }).all();
    expect(all.map((r) => r.fields)).toEqual([
      { 'BUCP ID': 'B-1', Title: 'First', Status: 'Draft' },
      { 'BUCP ID': 'B-2', Submitted: '2026-12-01', Escalated: true },
    ]);
    expect(emu.calls.map((c) => [c.method, c.api, c.status, c.records])).toEqual([
      ['POST', 'records.create', 200, 2],
      ['PATCH', 'records.update', 200, 1],
      ['GET', 'records.list', 200, 2],
    ]);
    expect(emu.calls[0]).toMatchObject({ baseId, table: 'Proposals', tableId: emu.table(baseId, 'Proposals').id });
  });

  it('lists the tables of a base through the Metadata API', async () => {
    const res = await meta(emu, `/bases/${baseId}/tables`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      tables: {
        id: string;
        name: string;
        primaryFieldId: string;
        fields: { id: string; name: string; type: string; options?: unknown }[];
      }[];
    };
    const [table] = body.tables;
    expect(table!.name).toBe('Proposals');
    expect(table!.id).toMatch(/^tbl[A-Za-z0-9]{14}$/);
    expect(table!.primaryFieldId).toBe(table!.fields[0]!.id);
    expect(table!.fields.map((f) => [f.name, f.type])).toEqual(PROPOSALS.fields.map((f) => [f.name, f.type]));
    expect(table!.fields.find((f) => f.name === 'Status')!.options).toEqual({
      choices: [
        { id: expect.stringMatching(/^sel/), name: 'Draft', color: expect.any(String) },
        { id: expect.stringMatching(/^sel/), name: 'Submitted', color: expect.any(String) },
      ],
    });
    expect(emu.calls[0]).toMatchObject({ api: 'meta.listTables', kind: 'meta-read', status: 200 });
  });
});
