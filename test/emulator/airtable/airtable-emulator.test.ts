/**
 * Drives the Airtable emulator only through the real `airtable` client (airtable.js 0.12.2)
 * and plain `fetch` to the Metadata API, as the store will.
 *
 * The client is pointed at the emulator with `endpointUrl` and built with
 * `noRetryIfRateLimited: true`, so each call is exactly one HTTP exchange. Its
 * `AirtableError` is not an `Error`: `failure()` returns whatever was thrown.
 */
import Airtable, { type FieldSet } from 'airtable';
import { afterAll, beforeAll, beforeEach, describe, expect, it, test } from 'vitest';
import { AirtableEmulator, type TableSeed } from './airtable-emulator.ts';

interface AirtableFailure {
  error: string;
  message: string;
  statusCode: number;
}

async function failure(promise: Promise<unknown>): Promise<AirtableFailure> {
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
    { name: 'Datasets', type: 'multipleSelects', options: { choices: [{ name: 'MEDS' }, { name: 'CMIPS' }] } },
  ],
};

function client(endpointUrl: string, token = TOKEN): Airtable {
  return new Airtable({ apiKey: token, endpointUrl, noRetryIfRateLimited: true, requestTimeout: 5_000 });
}

interface RawAnswer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
}

/** A plain fetch to `/v0{path}`, as the store makes its Metadata API calls. */
async function raw(
  emu: AirtableEmulator,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<RawAnswer> {
  const res = await fetch(`${emu.endpointUrl}/v0${path}`, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const meta = (emu: AirtableEmulator, method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
  raw(emu, method, `/meta${path}`, body, token);

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
    const res = await meta(emu, 'GET', `/bases/${baseId}/tables`);
    expect(res.status).toBe(200);
    const body = res.body as {
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

  async function seed(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(emu.addRecord(baseId, 'Proposals', { 'BUCP ID': `B-${i + 1}`, 'Days Open': i }));
    return ids;
  }

  describe('list records', () => {
    it('pages by 100 with offsets: ⌈N/100⌉ requests', async () => {
      await seed(250);
      const all = await at.base(baseId)('Proposals').select({ pageSize: 100 }).all();
      expect(all).toHaveLength(250);
      expect(all[249]!.get('BUCP ID')).toBe('B-250');
      const lists = emu.calls.filter((c) => c.api === 'records.list');
      expect(lists.map((c) => c.records)).toEqual([100, 100, 50]);
      expect(lists[0]!.query.offset).toBeUndefined();
      expect(lists[1]!.query.offset![0]).toMatch(/^itr[A-Za-z0-9]{14}\/rec[A-Za-z0-9]{14}$/);
    });

    it('refuses a page size over 100', async () => {
      const res = await raw(emu, 'GET', `/${baseId}/Proposals?pageSize=101`);
      expect(res).toMatchObject({ status: 422, body: { error: { type: 'INVALID_REQUEST_UNKNOWN' } } });
    });

    it('honours maxRecords, fields[] and returnFieldsByFieldId', async () => {
      await seed(5);
      const table = at.base(baseId)('Proposals');
      const some = await table.select({ maxRecords: 3, fields: ['BUCP ID'] }).all();
      expect(some.map((r) => r.fields)).toEqual([{ 'BUCP ID': 'B-1' }, { 'BUCP ID': 'B-2' }, { 'BUCP ID': 'B-3' }]);
      expect(emu.calls[0]!.query['fields[]']).toEqual(['BUCP ID']);
      const idField = emu.table(baseId, 'Proposals').fields[5]!;
      const byId = await table.select({ fields: [idField.id], returnFieldsByFieldId: true, maxRecords: 2 }).all();
      // 0 is a value, not an empty cell.
      expect(byId.map((r) => r.fields)).toEqual([{ [idField.id]: 0 }, { [idField.id]: 1 }]);
    });

    it('answers 422 UNKNOWN_FIELD_NAME for an unknown field in fields[]', async () => {
      const err = await failure(
        at
          .base(baseId)('Proposals')
          .select({ fields: ['Nope'] })
          .all(),
      );
      expect(err).toMatchObject({
        error: 'UNKNOWN_FIELD_NAME',
        statusCode: 422,
        message: 'Unknown field name: "Nope"',
      });
    });

    it('takes the same parameters by POST listRecords (airtable.js method: post, and long URLs)', async () => {
      await seed(120);
      const table = at.base(baseId)('Proposals');
      const posted = await table.select({ method: 'post', pageSize: 50, fields: ['BUCP ID'] } as never).all();
      expect(posted).toHaveLength(120);
      expect(emu.calls.map((c) => [c.method, c.api, c.records])).toEqual([
        ['POST', 'records.listPost', 50],
        ['POST', 'records.listPost', 50],
        ['POST', 'records.listPost', 20],
      ]);
      emu.resetCalls();
      const ids = emu.records(baseId, 'Proposals').map((r) => r.id);
      const formula = `AND(OR(${ids.map((id) => `RECORD_ID()='${id}'`).join(',')}), {Title} != '${'x'.repeat(12_000)}')`;
      expect(formula.length).toBeGreaterThan(15_000);
      const found = await table.select({ filterByFormula: formula }).all();
      expect(found).toHaveLength(120);
      expect(emu.calls[0]!.api).toBe('records.listPost');
    });

    test.each([
      [`{BUCP ID} = 'B-2'`, ['B-2']],
      [`{BUCP ID}="B-3"`, ['B-3']],
      [`OR({BUCP ID} = 'B-1', {BUCP ID} = 'B-4')`, ['B-1', 'B-4']],
      [`AND({Days Open} >= 1, {Days Open} < 3)`, ['B-2', 'B-3']],
      [`{Status} = 'Draft'`, ['B-1']],
      [`{Status} = BLANK()`, ['B-2', 'B-3', 'B-4']],
      [`NOT({Escalated})`, ['B-2', 'B-3', 'B-4']],
      [`{Escalated}`, ['B-1']],
      [`LOWER({Title}) = 'it''s'`.replace("''", "\\'"), ['B-2']],
      [`FIND('x', {Title}) > 0`, ['B-3']],
      [`{BUCP ID} & '!' = 'B-4!'`, ['B-4']],
    ])('filterByFormula %s', async (formula, expected) => {
      emu.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-1', 'Days Open': 0, Status: 'Draft', Escalated: true });
      emu.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-2', 'Days Open': 1, Title: "IT'S" });
      emu.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-3', 'Days Open': 2, Title: 'box' });
      emu.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-4', 'Days Open': 3 });
      const found = await at.base(baseId)('Proposals').select({ filterByFormula: formula }).all();
      expect(found.map((r) => r.get('BUCP ID'))).toEqual(expected);
    });

    it('filters by RECORD_ID()', async () => {
      const [, second] = await seed(3);
      const found = await at
        .base(baseId)('Proposals')
        .select({ filterByFormula: `RECORD_ID() = '${second}'` })
        .all();
      expect(found.map((r) => r.id)).toEqual([second]);
    });

    test.each([[`SEARCH('a', {Title})`], [`{Nope} = 1`], [`{BUCP ID} = 'open`]])(
      'refuses an unsupported or bad formula: %s',
      async (formula) => {
        const err = await failure(at.base(baseId)('Proposals').select({ filterByFormula: formula }).all());
        expect(err).toMatchObject({ error: 'INVALID_FILTER_BY_FORMULA', statusCode: 422 });
      },
    );

    it('fails an offset that expired or was invalidated with LIST_RECORDS_ITERATOR_NOT_AVAILABLE', async () => {
      await seed(150);
      const table = at.base(baseId)('Proposals');
      const first = await raw(emu, 'GET', `/${baseId}/Proposals?pageSize=100`);
      expect(first.body.offset).toEqual(expect.any(String));
      emu.expireIterators(baseId);
      const second = await raw(emu, 'GET', `/${baseId}/Proposals?offset=${encodeURIComponent(first.body.offset)}`);
      expect(second).toMatchObject({ status: 422, body: { error: { type: 'LIST_RECORDS_ITERATOR_NOT_AVAILABLE' } } });

      emu.resetCalls();
      let pages = 0;
      const err = await failure(
        table.select({ pageSize: 100 }).eachPage((_records, next) => {
          pages++;
          emu.advanceClock(5 * 60_000 + 1);
          next();
        }),
      );
      expect(pages).toBe(1);
      expect(err).toMatchObject({ error: 'LIST_RECORDS_ITERATOR_NOT_AVAILABLE', statusCode: 422 });
    });

    it('skips records deleted while a listing is under way', async () => {
      const ids = await seed(150);
      const first = await raw(emu, 'GET', `/${baseId}/Proposals`);
      emu.deleteRecord(baseId, 'Proposals', ids[120]!);
      const second = await raw(emu, 'GET', `/${baseId}/Proposals?offset=${encodeURIComponent(first.body.offset)}`);
      expect(second.body.records).toHaveLength(49);
      expect(second.body.offset).toBeUndefined();
    });

    it('gets one record, and 404 NOT_FOUND for one that does not exist', async () => {
      const [id] = await seed(1);
      const record = await at.base(baseId)('Proposals').find(id!);
      expect(record.fields).toEqual({ 'BUCP ID': 'B-1', 'Days Open': 0 });
      const missing = await raw(emu, 'GET', `/${baseId}/Proposals/recAAAAAAAAAAAAAA`);
      expect(missing).toMatchObject({ status: 404, body: { error: { type: 'NOT_FOUND' } } });
    });

    it('addresses tables by id and answers cellFormat=string only with timeZone and userLocale', async () => {
      await seed(2);
      const tableId = emu.table(baseId, 'Proposals').id;
      const byId = await at.base(baseId)(tableId).select().all();
      expect(byId).toHaveLength(2);
      const bad = await raw(emu, 'GET', `/${tableId === '' ? '' : baseId}/${tableId}?cellFormat=string`);
      expect(bad).toMatchObject({ status: 422, body: { error: { type: 'INVALID_REQUEST_UNKNOWN' } } });
      const ok = await raw(emu, 'GET', `/${baseId}/${tableId}?cellFormat=string&timeZone=UTC&userLocale=en-us`);
      expect(ok.body.records[1].fields).toEqual({ 'BUCP ID': 'B-2', 'Days Open': '1' });
    });
  });

  describe('writes', () => {
    it('takes at most 10 records a request (422 INVALID_RECORDS) and changes nothing past it', async () => {
      const table = at.base(baseId)('Proposals');
      const eleven = Array.from({ length: 11 }, (_, i) => ({ fields: { 'BUCP ID': `B-${i}` } }));
      expect(await failure(table.create(eleven))).toMatchObject({ error: 'INVALID_RECORDS', statusCode: 422 });
      const ids = await seed(11);
      const updates = ids.map((id) => ({ id, fields: { Title: 'x' } }));
      expect(await failure(table.update(updates))).toMatchObject({ error: 'INVALID_RECORDS', statusCode: 422 });
      expect(await failure(table.destroy(ids))).toMatchObject({ error: 'INVALID_RECORDS', statusCode: 422 });
      expect(emu.records(baseId, 'Proposals')).toHaveLength(11);
      expect(emu.records(baseId, 'Proposals').every((r) => r.fields.Title === undefined)).toBe(true);
      const ten = await table.create(eleven.slice(0, 10));
      expect(ten).toHaveLength(10);
    });

    test.each([
      ['a bad email', { 'Owner Email': 'not-an-email' }, 'INVALID_VALUE_FOR_COLUMN', 'Owner Email'],
      ['a date that is not YYYY-MM-DD', { Submitted: '12/01/2026' }, 'INVALID_VALUE_FOR_COLUMN', 'Submitted'],
      ['an impossible date', { Submitted: '2026-02-30' }, 'INVALID_VALUE_FOR_COLUMN', 'Submitted'],
      ['text in a number field', { 'Days Open': '3' }, 'INVALID_VALUE_FOR_COLUMN', 'Days Open'],
      ['a number in a text field', { Title: 3 }, 'INVALID_VALUE_FOR_COLUMN', 'Title'],
      ['a string in a checkbox', { Escalated: 'yes' }, 'INVALID_VALUE_FOR_COLUMN', 'Escalated'],
      ['an unknown select choice', { Status: 'Withdrawn' }, 'INVALID_MULTIPLE_CHOICE_OPTIONS', 'Withdrawn'],
      ['an unknown field', { Nope: 'x' }, 'UNKNOWN_FIELD_NAME', 'Nope'],
      ['long text over 100,000 characters', { Title: 'x'.repeat(100_001) }, 'INVALID_VALUE_FOR_COLUMN', 'Title'],
    ])('refuses %s without typecast', async (_what, fields, type, named) => {
      const table = at.base(baseId)('Proposals');
      const err = await failure(table.create([{ fields: { 'BUCP ID': 'B-ok' } }, { fields: fields as FieldSet }]));
      expect(err).toMatchObject({ error: type, statusCode: 422 });
      expect(err.message).toContain(named);
      // All or nothing: the good record of the batch was not created either.
      expect(emu.records(baseId, 'Proposals')).toEqual([]);
    });

    it('with typecast converts values and adds a missing select choice', async () => {
      const table = at.base(baseId)('Proposals');
      const [record] = await table.create(
        [{ fields: { 'BUCP ID': 7, 'Days Open': '12', Submitted: '2026-12-01T18:00:00.000Z', Status: 'Withdrawn' } }],
        { typecast: true },
      );
      expect(record!.fields).toEqual({ 'BUCP ID': '7', 'Days Open': 12, Submitted: '2026-12-01', Status: 'Withdrawn' });
      const schema = await meta(emu, 'GET', `/bases/${baseId}/tables`);
      const status = schema.body.tables[0].fields.find((f: { name: string }) => f.name === 'Status');
      expect(status.options.choices.map((c: { name: string }) => c.name)).toEqual(['Draft', 'Submitted', 'Withdrawn']);
      expect(emu.calls.find((c) => c.api === 'records.create')!.records).toBe(1);
    });

    it('does not add a choice when a typecast batch fails', async () => {
      const table = at.base(baseId)('Proposals');
      const err = await failure(
        table.create([{ fields: { Status: 'New One' } }, { fields: { 'Owner Email': 'bad' } }], { typecast: true }),
      );
      expect(err.error).toBe('INVALID_VALUE_FOR_COLUMN');
      expect(emu.tableSchema(baseId, 'Proposals').fields).toContainEqual(
        expect.objectContaining({
          name: 'Status',
          options: {
            choices: [expect.objectContaining({ name: 'Draft' }), expect.objectContaining({ name: 'Submitted' })],
          },
        }),
      );
    });

    it('PATCH merges, PUT clears the fields it does not name', async () => {
      const [id] = await seed(1);
      const table = at.base(baseId)('Proposals');
      await table.update([{ id: id!, fields: { Title: 'kept' } }]);
      expect(emu.record(baseId, 'Proposals', id!)!.fields).toEqual({ 'BUCP ID': 'B-1', 'Days Open': 0, Title: 'kept' });
      const [replaced] = await table.replace([{ id: id!, fields: { 'BUCP ID': 'B-1' } }]);
      expect(replaced!.fields).toEqual({ 'BUCP ID': 'B-1' });
      expect(emu.calls.at(-1)).toMatchObject({ method: 'PUT', api: 'records.replace', records: 1, applied: true });
    });

    it('addresses fields by id in writes', async () => {
      const [id] = await seed(1);
      const title = emu.table(baseId, 'Proposals').field('Title')!;
      const [updated] = await at
        .base(baseId)('Proposals')
        .update([{ id: id!, fields: { [title.id]: 'by id' } }]);
      expect(updated!.fields.Title).toBe('by id');
    });

    it('answers 422 ROW_DOES_NOT_EXIST for a batch naming a deleted record, and changes nothing', async () => {
      const [a, b] = await seed(2);
      emu.deleteRecord(baseId, 'Proposals', b!);
      const err = await failure(
        at
          .base(baseId)('Proposals')
          .update([
            { id: a!, fields: { Title: 'x' } },
            { id: b!, fields: { Title: 'y' } },
          ]),
      );
      expect(err).toMatchObject({ error: 'ROW_DOES_NOT_EXIST', statusCode: 422 });
      expect(err.message).toContain(b);
      expect(emu.record(baseId, 'Proposals', a!)!.fields.Title).toBeUndefined();
    });

    it('deletes in batches and one by one', async () => {
      const ids = await seed(4);
      const table = at.base(baseId)('Proposals');
      const deleted = await table.destroy([ids[0]!, ids[1]!]);
      expect(deleted.map((r) => r.id)).toEqual([ids[0], ids[1]]);
      expect(emu.calls.at(-1)).toMatchObject({ api: 'records.delete', records: 2, status: 200 });
      await table.destroy(ids[2]!);
      expect(emu.records(baseId, 'Proposals').map((r) => r.id)).toEqual([ids[3]]);
      expect(await failure(table.destroy([ids[0]!]))).toMatchObject({ error: 'ROW_DOES_NOT_EXIST' });
    });

    it('refuses to create past the base record limit, counting every table', async () => {
      emu.addTable(baseId, { name: 'Activity Log', fields: [{ name: 'Line', type: 'multilineText' }] });
      emu.setRecordLimit(baseId, 4);
      emu.addRecord(baseId, 'Activity Log', { Line: 'one' });
      await seed(1);
      const table = at.base(baseId)('Proposals');
      await table.create([{ fields: { 'BUCP ID': 'B-2' } }, { fields: { 'BUCP ID': 'B-3' } }]);
      const err = await failure(table.create([{ fields: { 'BUCP ID': 'B-4' } }, { fields: { 'BUCP ID': 'B-5' } }]));
      expect(err).toMatchObject({ error: 'RECORD_LIMIT_EXCEEDED', statusCode: 422 });
      expect(emu.usage(baseId)).toEqual({ records: 4, limit: 4 });
    });
  });

  describe('auth and access', () => {
    it('answers 401 AUTHENTICATION_REQUIRED without a token or with an unknown one', async () => {
      expect(await raw(emu, 'GET', `/${baseId}/Proposals`, undefined, null)).toMatchObject({
        status: 401,
        body: { error: { type: 'AUTHENTICATION_REQUIRED' } },
      });
      const err = await failure(client(emu.endpointUrl, 'pat.unknown').base(baseId)('Proposals').select().all());
      expect(err).toMatchObject({ error: 'AUTHENTICATION_REQUIRED', statusCode: 401 });
    });

    test.each([
      ['a base the token was not granted', 'pat.otherbase', (id: string) => `/${id}/Proposals`],
      ['an unknown base', TOKEN, () => '/appAAAAAAAAAAAAAA/Proposals'],
      ['an unknown table', TOKEN, (id: string) => `/${id}/Nope`],
      ['the Metadata API of a base not granted', 'pat.otherbase', (id: string) => `/meta/bases/${id}/tables`],
    ])('answers 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND for %s', async (_what, token, path) => {
      const res = await raw(emu, 'GET', path(baseId), undefined, token);
      expect(res).toMatchObject({ status: 403, body: { error: { type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND' } } });
    });

    it('answers 403 for a missing scope, naming it', async () => {
      const write = await raw(emu, 'POST', `/${baseId}/Proposals`, { records: [{ fields: {} }] }, 'pat.readonly');
      expect(write).toMatchObject({ status: 403, body: { error: { type: 'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND' } } });
      expect(write.body.error.message).toContain('data.records:write');
      const schema = await meta(
        emu,
        'POST',
        `/bases/${baseId}/tables`,
        { name: 'X', fields: [{ name: 'A', type: 'singleLineText' }] },
        'pat.readonly',
      );
      expect(schema.body.error.message).toContain('schema.bases:write');
      expect(emu.records(baseId, 'Proposals')).toEqual([]);
      const read = await client(emu.endpointUrl, 'pat.readonly').base(baseId)('Proposals').select().all();
      expect(read).toEqual([]);
    });

    it('answers 404 TABLE_NOT_FOUND for an unknown table when so configured', async () => {
      const strict = new AirtableEmulator({ unknownTable: 'notFound', rateLimit: false });
      await strict.start();
      try {
        const id = strict.createBase({ tables: [PROPOSALS] });
        const res = await raw(strict, 'GET', `/${id}/Nope`);
        expect(res).toMatchObject({ status: 404, body: { error: { type: 'TABLE_NOT_FOUND' } } });
      } finally {
        await strict.stop();
      }
    });

    it('answers unknown routes with 404 {"error":"NOT_FOUND"}', async () => {
      expect(await raw(emu, 'GET', '/nothing')).toEqual(
        expect.objectContaining({ status: 404, body: { error: 'NOT_FOUND' } }),
      );
    });
  });

  describe('Metadata API', () => {
    const spec = {
      name: 'Disputes',
      description: 'Disputed proposals',
      fields: [
        { name: 'Dispute ID', type: 'singleLineText' },
        { name: 'Opened', type: 'date', options: { dateFormat: { name: 'iso', format: 'YYYY-MM-DD' } } },
        { name: 'Amount', type: 'number', options: { precision: 2 } },
        { name: 'Stage', type: 'singleSelect', options: { choices: [{ name: 'Open' }, { name: 'Closed' }] } },
        { name: 'Resolved', type: 'checkbox', options: { icon: 'check', color: 'greenBright' } },
        {
          name: 'At',
          type: 'dateTime',
          options: { dateFormat: { name: 'iso' }, timeFormat: { name: '24hour' }, timeZone: 'utc' },
        },
      ],
    };

    it('creates a table whose first field is the primary field, usable at once by airtable.js', async () => {
      const created = await meta(emu, 'POST', `/bases/${baseId}/tables`, spec);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^tbl/),
        name: 'Disputes',
        description: 'Disputed proposals',
        primaryFieldId: created.body.fields[0].id,
        views: [{ name: 'Grid view', type: 'grid' }],
      });
      expect(created.body.fields[1]).toMatchObject({
        name: 'Opened',
        type: 'date',
        options: { dateFormat: { name: 'iso', format: 'YYYY-MM-DD' } },
      });
      const [record] = await at
        .base(baseId)(created.body.id)
        .create([
          {
            fields: {
              'Dispute ID': 'D-1',
              Opened: '2026-12-08',
              Amount: 1.5,
              Stage: 'Open',
              At: '2026-12-08T10:00:00Z',
            },
          },
        ]);
      expect(record!.fields).toMatchObject({ At: '2026-12-08T10:00:00.000Z', Amount: 1.5 });
      expect(emu.calls.map((c) => [c.api, c.kind, c.applied])).toEqual([
        ['meta.createTable', 'meta-write', true],
        ['records.create', 'write', true],
      ]);
    });

    test.each([
      [
        'a duplicate table name',
        { name: 'Proposals', fields: [{ name: 'A', type: 'singleLineText' }] },
        'DUPLICATE_OR_EMPTY_TABLE_NAME',
      ],
      ['no fields', { name: 'Empty', fields: [] }, 'INVALID_REQUEST_UNKNOWN'],
      [
        'a checkbox as primary field',
        { name: 'X', fields: [{ name: 'A', type: 'checkbox' }] },
        'INVALID_FIELD_TYPE_OPTIONS',
      ],
      [
        'a number without precision',
        {
          name: 'X',
          fields: [
            { name: 'A', type: 'singleLineText' },
            { name: 'N', type: 'number' },
          ],
        },
        'INVALID_FIELD_TYPE_OPTIONS',
      ],
      [
        'a date without dateFormat',
        {
          name: 'X',
          fields: [
            { name: 'A', type: 'singleLineText' },
            { name: 'D', type: 'date' },
          ],
        },
        'INVALID_FIELD_TYPE_OPTIONS',
      ],
      [
        'a select without choices',
        {
          name: 'X',
          fields: [
            { name: 'A', type: 'singleLineText' },
            { name: 'S', type: 'singleSelect' },
          ],
        },
        'INVALID_FIELD_TYPE_OPTIONS',
      ],
      [
        'duplicate field names',
        {
          name: 'X',
          fields: [
            { name: 'A', type: 'singleLineText' },
            { name: 'A', type: 'email' },
          ],
        },
        'DUPLICATE_OR_EMPTY_FIELD_NAME',
      ],
      ['an unknown field type', { name: 'X', fields: [{ name: 'A', type: 'rollup' }] }, 'INVALID_FIELD_TYPE_OPTIONS'],
    ])('refuses a table with %s (422) and creates nothing', async (_what, body, type) => {
      const res = await meta(emu, 'POST', `/bases/${baseId}/tables`, body);
      expect(res).toMatchObject({ status: 422, body: { error: { type } } });
      expect(emu.base(baseId).tables.map((t) => t.name)).toEqual(['Proposals']);
    });

    it('creates a field, by table name or id', async () => {
      const tableId = emu.table(baseId, 'Proposals').id;
      const field = await meta(emu, 'POST', `/bases/${baseId}/tables/${tableId}/fields`, {
        name: 'Priority',
        type: 'singleSelect',
        options: { choices: [{ name: 'High' }, { name: 'Low' }] },
      });
      expect(field).toMatchObject({
        status: 200,
        body: { id: expect.stringMatching(/^fld/), name: 'Priority', type: 'singleSelect' },
      });
      const dup = await meta(emu, 'POST', `/bases/${baseId}/tables/Proposals/fields`, {
        name: 'Priority',
        type: 'email',
      });
      expect(dup).toMatchObject({ status: 422, body: { error: { type: 'DUPLICATE_OR_EMPTY_FIELD_NAME' } } });
      const [r] = await at
        .base(baseId)('Proposals')
        .create([{ fields: { Priority: 'High' } }]);
      expect(r!.fields).toEqual({ Priority: 'High' });
    });

    it('updates a field name and description only: options cannot change there', async () => {
      const status = emu.table(baseId, 'Proposals').field('Status')!;
      const path = `/bases/${baseId}/tables/Proposals/fields/${status.id}`;
      const renamed = await meta(emu, 'PATCH', path, { name: 'Stage', description: 'Where it is' });
      expect(renamed.body).toMatchObject({
        id: status.id,
        name: 'Stage',
        description: 'Where it is',
        type: 'singleSelect',
      });
      const choices = await meta(emu, 'PATCH', path, { options: { choices: [{ name: 'Draft' }, { name: 'New' }] } });
      expect(choices).toMatchObject({ status: 422, body: { error: { type: 'INVALID_REQUEST_UNKNOWN' } } });
      const nothing = await meta(emu, 'PATCH', path, {});
      expect(nothing.status).toBe(422);
      expect(emu.tableSchema(baseId, 'Proposals').fields).toContainEqual(
        expect.objectContaining({
          name: 'Stage',
          options: {
            choices: [expect.objectContaining({ name: 'Draft' }), expect.objectContaining({ name: 'Submitted' })],
          },
        }),
      );
      const missing = await meta(emu, 'PATCH', `/bases/${baseId}/tables/Proposals/fields/fldAAAAAAAAAAAAAA`, {
        name: 'x',
      });
      expect(missing.status).toBe(403);
    });

    it('lists bases the token may use, and answers whoami', async () => {
      emu.createBase({ id: 'appNotThisOne0000', name: 'Other' });
      const mine = await meta(emu, 'GET', '/bases', undefined, 'pat.otherbase');
      expect(mine.body.bases).toEqual([{ id: 'appNotThisOne0000', name: 'Other', permissionLevel: 'create' }]);
      emu.deleteBase('appNotThisOne0000');
      const who = await meta(emu, 'GET', '/whoami');
      expect(who.body.id).toMatch(/^usr/);
    });
  });

  describe('rate limits', () => {
    it('answers the 6th request in a second to one base 429 RATE_LIMIT_REACHED, then refuses for 30 s', async () => {
      emu.setRateLimit({});
      const table = at.base(baseId)('Proposals');
      for (let i = 0; i < 5; i++) await table.select().all();
      const err = await failure(table.select().all());
      expect(err).toMatchObject({ error: 'TOO_MANY_REQUESTS', statusCode: 429 });
      const res = await raw(emu, 'GET', `/${baseId}/Proposals`);
      expect(res).toMatchObject({ status: 429, body: { error: { type: 'RATE_LIMIT_REACHED' } } });
      expect(res.headers.get('retry-after')).toBeNull();
      emu.advanceClock(29_000);
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(429);
      emu.advanceClock(1_001);
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(200);
      expect(emu.calls.filter((c) => c.status === 429).every((c) => c.fault === 'rateLimit')).toBe(true);
      emu.failNext(1, 429);
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(429);
      expect(emu.stats).toMatchObject({ rateLimited: 4, limiterRefusals: 3 });
    });

    it('counts a sliding window per base, so other bases are not slowed', async () => {
      emu.setRateLimit({ perBase: 2, windowMs: 1000, penaltyMs: 100 });
      const other = emu.createBase({ tables: [PROPOSALS] });
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(200);
      emu.advanceClock(600);
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(200);
      expect((await raw(emu, 'GET', `/${other}/Proposals`)).status).toBe(200);
      emu.advanceClock(401);
      // The first request left the window: one more fits.
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(200);
      expect((await raw(emu, 'GET', `/${baseId}/Proposals`)).status).toBe(429);
    });

    it('limits a token to 50 requests a second across bases, and can send Retry-After', async () => {
      emu.setRateLimit({ perBase: 100, perToken: 3, retryAfterSeconds: 30 });
      const other = emu.createBase({ tables: [PROPOSALS] });
      await raw(emu, 'GET', `/${baseId}/Proposals`);
      await raw(emu, 'GET', `/${other}/Proposals`);
      await meta(emu, 'GET', `/bases/${other}/tables`);
      const res = await raw(emu, 'GET', `/${baseId}/Proposals`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(new AirtableEmulator().now()).toBeGreaterThan(0);
    });
  });

  describe('faults', () => {
    it('fails the next requests with a scripted status, then serves again', async () => {
      emu.failNext(2, 503);
      const table = at.base(baseId)('Proposals');
      expect(await failure(table.select().all())).toMatchObject({ error: 'SERVICE_UNAVAILABLE', statusCode: 503 });
      expect(await failure(table.create([{ fields: { 'BUCP ID': 'B-1' } }]))).toMatchObject({ statusCode: 503 });
      expect(emu.records(baseId, 'Proposals')).toEqual([]);
      expect(await table.select().all()).toEqual([]);
      expect(emu.calls.map((c) => [c.status, c.fault])).toEqual([
        [503, 'failNext'],
        [503, 'failNext'],
        [200, undefined],
      ]);
    });

    it('injects 429 with and without Retry-After', async () => {
      emu.failNext(1, 429);
      emu.failNext(1, 429, { retryAfterSeconds: 7 });
      const a = await raw(emu, 'GET', `/${baseId}/Proposals`);
      const b = await raw(emu, 'GET', `/${baseId}/Proposals`);
      expect([a.status, a.headers.get('retry-after'), b.status, b.headers.get('retry-after')]).toEqual([
        429,
        null,
        429,
        '7',
      ]);
      expect(b.body.error.type).toBe('RATE_LIMIT_REACHED');
    });

    // airtable.js passes the fetch failure itself (an Error, not an AirtableError) for select/create/update.
    it('drops the connection: airtable.js rejects with the fetch error', async () => {
      emu.failNext(1, 'drop', { kinds: ['write'] });
      const table = at.base(baseId)('Proposals');
      expect(await table.select().all()).toEqual([]);
      const err = await failure(table.create([{ fields: { 'BUCP ID': 'B-1' } }]));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ code: 'ECONNRESET' });
      expect(emu.records(baseId, 'Proposals')).toEqual([]);
      expect(emu.calls.at(-1)).toMatchObject({ status: 0, fault: 'drop' });
    });

    it('applies a write and then drops its answer (did it happen?)', async () => {
      emu.failNext(1, 'drop', { afterApply: true });
      const err = await failure(
        at
          .base(baseId)('Proposals')
          .create([{ fields: { 'BUCP ID': 'B-1' } }]),
      );
      expect(err).toMatchObject({ code: 'ECONNRESET' });
      expect(emu.records(baseId, 'Proposals').map((r) => r.fields)).toEqual([{ 'BUCP ID': 'B-1' }]);
      expect(emu.calls.at(-1)).toMatchObject({ status: 0, fault: 'dropAfterApply', applied: true });
    });

    it('answers slowly: a client timeout gives up first', async () => {
      emu.failNext(1, 'slow', { delayMs: 400 });
      const impatient = new Airtable({
        apiKey: TOKEN,
        endpointUrl: emu.endpointUrl,
        noRetryIfRateLimited: true,
        requestTimeout: 100,
      });
      const err = await failure(impatient.base(baseId)('Proposals').select().all());
      expect(err).toMatchObject({ name: 'AbortError' });
      emu.failNext(1, 'slow', { delayMs: 50 });
      expect(await at.base(baseId)('Proposals').select().all()).toEqual([]);
      expect(emu.calls.map((c) => c.fault)).toEqual(['slow', 'slow']);
    });

    it('injects random faults at a rate, reproducibly from a seed', async () => {
      const run = async () => {
        emu.resetCalls();
        emu.faults({ rate: 0.3, statuses: [500, 502, 503, 429], dropConnectionRate: 0.1, seed: 42 });
        for (let i = 0; i < 40; i++) await raw(emu, 'GET', `/${baseId}/Proposals`).catch(() => undefined);
        emu.faults(null);
        return emu.calls.map((c) => c.status);
      };
      const first = await run();
      const second = await run();
      expect(second).toEqual(first);
      expect(first.filter((s) => s !== 200).length).toBeGreaterThan(5);
      expect(new Set(first)).toEqual(new Set([0, 200, 429, 500, 502, 503]));
    });

    it('drops random writes after applying them', async () => {
      emu.faults({ dropAfterApplyRate: 1, seed: 3 });
      await raw(emu, 'GET', `/${baseId}/Proposals`);
      await failure(
        at
          .base(baseId)('Proposals')
          .create([{ fields: { 'BUCP ID': 'B-1' } }]),
      );
      expect(emu.calls.map((c) => [c.kind, c.status, c.fault ?? null])).toEqual([
        ['read', 200, null],
        ['write', 0, 'dropAfterApply'],
      ]);
      expect(emu.records(baseId, 'Proposals')).toHaveLength(1);
    });
  });

  describe('the staff member', () => {
    it('deletes and edits records between the service read and its write', async () => {
      const [a, b, c] = await seed(3);
      emu.betweenReadAndWrite(({ staff }) => {
        staff.deleteRecord(baseId, 'Proposals', b!);
        staff.editRecord(baseId, 'Proposals', c!, { Title: 'staff wrote this' });
        staff.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-new', Status: 'Pending Review' });
      });
      const table = at.base(baseId)('Proposals');
      // A write before any read does not trigger the staff member.
      await table.update([{ id: a!, fields: { 'Days Open': 10 } }]);
      expect(emu.records(baseId, 'Proposals')).toHaveLength(3);
      const read = await table.select().all();
      expect(read).toHaveLength(3);
      const err = await failure(table.update(read.map((r) => ({ id: r.id, fields: { 'Days Open': 1 } }))));
      expect(err).toMatchObject({ error: 'ROW_DOES_NOT_EXIST' });
      const after = await table.update([{ id: c!, fields: { 'Days Open': 1 } }]);
      expect(after[0]!.fields).toMatchObject({ Title: 'staff wrote this', 'Days Open': 1 });
      expect(emu.records(baseId, 'Proposals').map((r) => r.fields['BUCP ID'])).toEqual(['B-1', 'B-3', 'B-new']);
      // Staff typing a new choice adds it, as the UI does for a base creator.
      expect(emu.tableSchema(baseId, 'Proposals').fields).toContainEqual(
        expect.objectContaining({
          name: 'Status',
          options: { choices: expect.arrayContaining([expect.objectContaining({ name: 'Pending Review' })]) },
        }),
      );
    });

    it('runs a hook before every matching write when asked', async () => {
      const seen: string[] = [];
      const remove = emu.onBeforeWrite(({ api, call }) => void seen.push(`${api}:${call.records}`), { once: false });
      const table = at.base(baseId)('Proposals');
      const [r] = await table.create([{ fields: { 'BUCP ID': 'B-1' } }]);
      await table.update([{ id: r!.id, fields: { Title: 't' } }]);
      await table.select().all();
      remove();
      await table.destroy([r!.id]);
      expect(seen).toEqual(['records.create:1', 'records.update:1']);
    });

    it('sorts records: list order changes, record ids do not', async () => {
      const ids = await seed(3);
      emu.sortRecords(baseId, 'Proposals', 'Days Open', true);
      const listed = await at.base(baseId)('Proposals').select().all();
      expect(listed.map((r) => r.id)).toEqual([...ids].reverse());
      await at
        .base(baseId)('Proposals')
        .update([{ id: ids[0]!, fields: { Title: 'first made' } }]);
      expect(emu.record(baseId, 'Proposals', ids[0]!)!.fields).toMatchObject({ 'BUCP ID': 'B-1', Title: 'first made' });
    });

    it('changes the schema: deletes a table, a field or a choice', async () => {
      emu.addTable(baseId, { name: 'Issues', fields: [{ name: 'Issue', type: 'singleLineText' }] });
      emu.deleteTable(baseId, 'Issues');
      emu.addRecord(baseId, 'Proposals', { 'BUCP ID': 'B-1', Status: 'Draft', Title: 't' });
      emu.deleteField(baseId, 'Proposals', 'Title');
      emu.deleteChoice(baseId, 'Proposals', 'Status', 'Draft');
      const tables = await meta(emu, 'GET', `/bases/${baseId}/tables`);
      expect(tables.body.tables.map((t: { name: string }) => t.name)).toEqual(['Proposals']);
      const fields = tables.body.tables[0].fields;
      expect(fields.map((f: { name: string }) => f.name)).not.toContain('Title');
      expect(
        fields.find((f: { name: string }) => f.name === 'Status').options.choices.map((c: { name: string }) => c.name),
      ).toEqual(['Submitted']);
      expect(emu.records(baseId, 'Proposals')[0]!.fields).toEqual({ 'BUCP ID': 'B-1' });
      expect(() => emu.deleteField(baseId, 'Proposals', 'BUCP ID')).toThrow(/primary/);
    });
  });

  describe('more of the records API', () => {
    it('sorts a listing by the sort parameter', async () => {
      await seed(3);
      const listed = await at
        .base(baseId)('Proposals')
        .select({ sort: [{ field: 'Days Open', direction: 'desc' }] })
        .all();
      expect(listed.map((r) => r.get('BUCP ID'))).toEqual(['B-3', 'B-2', 'B-1']);
      expect(emu.calls[0]!.query['sort[0][field]']).toEqual(['Days Open']);
    });

    it('keeps multiple selects as arrays of choice names', async () => {
      const table = at.base(baseId)('Proposals');
      const [r] = await table.create([{ fields: { Datasets: ['CMIPS', 'MEDS'] } }]);
      expect(r!.fields).toEqual({ Datasets: ['CMIPS', 'MEDS'] });
      expect(await failure(table.update([{ id: r!.id, fields: { Datasets: ['MEDS', 'Births'] } }]))).toMatchObject({
        error: 'INVALID_MULTIPLE_CHOICE_OPTIONS',
      });
      const [typed] = await table.update([{ id: r!.id, fields: { Datasets: 'MEDS, Births' } }], { typecast: true });
      expect(typed!.fields.Datasets).toEqual(['MEDS', 'Births']);
      const found = await table.select({ filterByFormula: `FIND('Births', {Datasets}) > 0` }).all();
      expect(found.map((x) => x.id)).toEqual([r!.id]);
      const [cleared] = await table.update([{ id: r!.id, fields: { Datasets: [] } }]);
      expect(cleared!.fields).toEqual({});
    });

    it('answers the one-record path forms, and 404 NOT_FOUND there for a record that does not exist', async () => {
      const [id] = await seed(1);
      const patched = await raw(emu, 'PATCH', `/${baseId}/Proposals/${id}`, { fields: { Title: 'one' } });
      expect(patched.body).toMatchObject({ id, fields: { Title: 'one' } });
      const missing = await raw(emu, 'PATCH', `/${baseId}/Proposals/recAAAAAAAAAAAAAA`, { fields: { Title: 'x' } });
      expect(missing).toMatchObject({ status: 404, body: { error: { type: 'NOT_FOUND' } } });
      const single = await raw(emu, 'POST', `/${baseId}/Proposals`, { fields: { 'BUCP ID': 'B-9' } });
      expect(single.body).toMatchObject({ id: expect.stringMatching(/^rec/), fields: { 'BUCP ID': 'B-9' } });
      const gone = await raw(emu, 'DELETE', `/${baseId}/Proposals/${id}`);
      expect(gone.body).toEqual({ id, deleted: true });
      expect((await raw(emu, 'DELETE', `/${baseId}/Proposals/${id}`)).status).toBe(404);
    });

    it('refuses unknown body keys and performUpsert with 422 INVALID_REQUEST_UNKNOWN', async () => {
      const unknown = await raw(emu, 'POST', `/${baseId}/Proposals`, { records: [{ fields: {} }], extra: 1 });
      expect(unknown).toMatchObject({ status: 422, body: { error: { type: 'INVALID_REQUEST_UNKNOWN' } } });
      const upsert = await raw(emu, 'PATCH', `/${baseId}/Proposals`, {
        records: [{ fields: { 'BUCP ID': 'B-1' } }],
        performUpsert: { fieldsToMergeOn: ['BUCP ID'] },
      });
      expect(upsert.status).toBe(422);
      expect(emu.records(baseId, 'Proposals')).toEqual([]);
    });
  });

  it('refuses API writes to a field whose editing staff limited, and PUT, with 403 INVALID_PERMISSIONS', async () => {
    const [id] = await seed(1);
    emu.restrictFieldEditing(baseId, 'Proposals', 'Status');
    const table = at.base(baseId)('Proposals');
    const res = await raw(emu, 'PATCH', `/${baseId}/Proposals`, { records: [{ id, fields: { Status: 'Draft' } }] });
    expect(res).toMatchObject({ status: 403, body: { error: { type: 'INVALID_PERMISSIONS' } } });
    expect(res.body.error.message).toContain('Status');
    expect((await failure(table.replace([{ id: id!, fields: { Title: 'x' } }]))).statusCode).toBe(403);
    await table.update([{ id: id!, fields: { Title: 'allowed' } }]);
    emu.editRecord(baseId, 'Proposals', id!, { Status: 'Submitted' });
    expect(emu.record(baseId, 'Proposals', id!)!.fields).toMatchObject({ Title: 'allowed', Status: 'Submitted' });
  });

  it('lets the staff member wait for a read and a write of one table', async () => {
    emu.addTable(baseId, { name: 'Lease', fields: [{ name: 'Holder', type: 'singleLineText' }] });
    const [id] = await seed(1);
    const acted: string[] = [];
    emu.betweenReadAndWrite(({ call }) => void acted.push(`${call.api} ${call.table}`), { table: 'Proposals' });
    const lease = at.base(baseId)('Lease');
    await lease.select().all();
    await lease.create([{ fields: { Holder: 'me' } }]);
    expect(acted).toEqual([]);
    await at.base(baseId)('Proposals').select().all();
    await lease.create([{ fields: { Holder: 'me again' } }]);
    expect(acted).toEqual([]);
    const tableId = emu.table(baseId, 'Proposals').id;
    await at
      .base(baseId)(tableId)
      .update([{ id: id!, fields: { Title: 't' } }]);
    expect(acted).toEqual([`records.update ${tableId}`]);
  });
});
