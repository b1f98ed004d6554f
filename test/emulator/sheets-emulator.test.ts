/**
 * Drives the Sheets emulator only through the real `@googleapis/sheets` client.
 *
 * The client is pointed at the emulator with `rootUrl` on the service object:
 * `sheets({ version: 'v4', auth, rootUrl })`. googleapis-common rewrites each
 * method URL against the per-API options' rootUrl (`context._options.rootUrl`);
 * the global `google.options({ rootUrl })` is merged into the request options but
 * never used for that rewrite, so it does not redirect anything. Only the origin
 * of rootUrl is kept. `retry: false` on the service object turns off gaxios'
 * automatic retries (GET/PUT on 429/5xx and on dropped connections) so each test
 * sees exactly one HTTP exchange per call.
 */
import { generateKeyPairSync } from 'node:crypto';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it, test } from 'vitest';
import { columnToLetters, format, lettersToColumn, parse, type A1Range } from './a1.ts';
import { SheetsEmulator } from './sheets-emulator.ts';

type HttpFailure = Error & {
  status?: number;
  code?: string | number;
  response?: { status: number; data: unknown; headers: Headers };
};

function client(rootUrl: string, token = 'test-token'): sheets_v4.Sheets {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return sheets({ version: 'v4', auth, rootUrl, retry: false });
}

async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise;
  } catch (e) {
    return e as HttpFailure;
  }
  throw new Error('expected the call to fail');
}

describe('a1', () => {
  test.each<[string, A1Range]>([
    ["'Activity Log'!A2:F", { sheet: 'Activity Log', startRow: 1, startCol: 0, endCol: 6 }],
    ['Proposals!A:Z', { sheet: 'Proposals', startRow: 0, startCol: 0, endCol: 26 }],
    ['Sheet1!B3', { sheet: 'Sheet1', startRow: 2, startCol: 1, endRow: 3, endCol: 2 }],
    ["'It''s'!A1", { sheet: "It's", startRow: 0, startCol: 0, endRow: 1, endCol: 1 }],
    ['Proposals', { sheet: 'Proposals', startRow: 0, startCol: 0 }],
    ['A2:F', { startRow: 1, startCol: 0, endCol: 6 }],
    ['A:Z', { startRow: 0, startCol: 0, endCol: 26 }],
    ['AA1:AG10', { startRow: 0, startCol: 26, endRow: 10, endCol: 33 }],
    ['Sheet1!$B$2:$C$5', { sheet: 'Sheet1', startRow: 1, startCol: 1, endRow: 5, endCol: 3 }],
    ['2:5', { startRow: 1, startCol: 0, endRow: 5 }],
    ['Data!C5:A1', { sheet: 'Data', startRow: 0, startCol: 0, endRow: 5, endCol: 3 }],
    ['Activity Log!A1', { sheet: 'Activity Log', startRow: 0, startCol: 0, endRow: 1, endCol: 1 }],
  ])('parse(%s)', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  test.each([
    ["'Activity Log'!A2:F", "'Activity Log'!A2:F"],
    ['Proposals!A:Z', 'Proposals!A:Z'],
    ['Sheet1!B3', 'Sheet1!B3'],
    ["'It''s'!A1", "'It''s'!A1"],
    ['Proposals', 'Proposals'],
    ['Data!A1:AG100', 'Data!A1:AG100'],
    ["'A1'!B2", "'A1'!B2"],
  ])('format(parse(%s)) = %s', (text, expected) => {
    expect(format(parse(text))).toBe(expected);
  });

  it('converts column letters beyond Z', () => {
    expect([0, 25, 26, 32, 701, 702].map(columnToLetters)).toEqual(['A', 'Z', 'AA', 'AG', 'ZZ', 'AAA']);
    expect(['A', 'Z', 'AA', 'ag', 'ZZ'].map(lettersToColumn)).toEqual([0, 25, 26, 32, 701]);
  });

  it('lets an existing sheet named like a cell win, and rejects garbage', () => {
    expect(parse('AB12', { sheetNames: ['AB12'] })).toEqual({ sheet: 'AB12', startRow: 0, startCol: 0 });
    expect(parse('AB12')).toEqual({ startRow: 11, startCol: 27, endRow: 12, endCol: 28 });
    expect(() => parse("'unterminated!A1")).toThrow();
    expect(() => parse('Sheet1!A1:B2:C3')).toThrow();
    expect(() => parse('Sheet1!')).toThrow();
  });
});

describe('SheetsEmulator through @googleapis/sheets', () => {
  const emu = new SheetsEmulator({ quota: false });
  let rootUrl: string;
  let api: sheets_v4.Sheets;

  beforeAll(async () => {
    rootUrl = await emu.start();
    api = client(rootUrl);
  });
  afterAll(() => emu.stop());

  beforeEach(() => {
    emu.resetCalls();
    emu.clearFaults();
    emu.createSpreadsheet('book', {
      title: 'BUCP tracker',
      sheets: [
        {
          title: 'Proposals',
          rows: [
            ['ID', 'Title', 'Status', 'Score'],
            ['P-1', 'Alpha', 'Open', '3'],
            ['P-2', 'Bravo', 'Closed', '1'],
            ['P-3', 'Charlie', 'Open', '2'],
          ],
        },
        {
          title: 'Activity Log',
          rows: [['When', 'What'], ['2024-03-01', 'created'], [], ['3/5/2024', 'closed'], [], []],
        },
        { title: "It's", rows: [['quote'], ['ok']] },
      ],
    });
  });

  it('honours rootUrl on the service object and logs the call', async () => {
    expect(rootUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!A1:B1' });
    expect(res.data.values).toEqual([['ID', 'Title']]);
    expect(emu.calls).toHaveLength(1);
    expect(emu.calls[0]).toMatchObject({
      method: 'GET',
      path: '/v4/spreadsheets/book/values/Proposals%21A1%3AB1',
      api: 'values.get',
      kind: 'read',
      status: 200,
      ranges: ['Proposals!A1:B1'],
    });
    expect(emu.calls[0]!.bytesOut).toBeGreaterThan(0);
    expect(emu.stats).toMatchObject({ total: 1, reads: 1, writes: 0, failed: 0 });
  });

  it('batchGets several ranges: quoted tab names, open ranges, trailing empties omitted', async () => {
    const res = await api.spreadsheets.values.batchGet({
      spreadsheetId: 'book',
      ranges: ["'Activity Log'!A2:F", 'Proposals!A:Z', "'It''s'!A1", 'Proposals!C2:C', 'Proposals'],
    });
    const [log, all, quoted, status, whole] = res.data.valueRanges!;
    expect(log).toEqual({
      range: "'Activity Log'!A2:F1000",
      majorDimension: 'ROWS',
      values: [['2024-03-01', 'created'], [], ['3/5/2024', 'closed']],
    });
    expect(all!.range).toBe('Proposals!A1:Z1000');
    expect(all!.values).toHaveLength(4);
    expect(quoted).toEqual({ range: "'It''s'!A1", majorDimension: 'ROWS', values: [['quote']] });
    expect(status!.values).toEqual([['Open'], ['Closed'], ['Open']]);
    expect(whole!.values).toEqual(all!.values);
    expect(emu.calls[0]!.ranges).toHaveLength(5);
  });

  it('omits values entirely for an empty range and clamps reads to the grid', async () => {
    const empty = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!F1:G9' });
    expect(empty.data).toEqual({ range: 'Proposals!F1:G9', majorDimension: 'ROWS' });
    const wide = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!A1:ZZ1' });
    expect(wide.data.range).toBe('Proposals!A1:Z1');
    const outside = await failure(api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!A1001:B' }));
    expect(outside.status).toBe(400);
    expect(outside.message).toBe('Range (Proposals!A1001:B) exceeds grid limits. Max rows: 1000, max columns: 26');
  });

  it('RAW keeps =IMPORTXML as text; USER_ENTERED makes it a formula', async () => {
    const injection = '=IMPORTXML("http://x","//a")';
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!B2',
      valueInputOption: 'RAW',
      requestBody: { values: [[injection]] },
    });
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!B3',
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [[injection]] },
    });
    const sheet = emu.sheet('book', 'Proposals');
    expect(sheet.cell('B2')).toMatchObject({ type: 'string', value: injection, formula: undefined });
    expect(sheet.cell('B3')).toMatchObject({ type: 'formula', formula: injection, value: '#NAME?' });

    const get = async (valueRenderOption: string) =>
      (await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!B2:B3', valueRenderOption })).data
        .values;
    expect(await get('FORMATTED_VALUE')).toEqual([[injection], ['#NAME?']]);
    expect(await get('UNFORMATTED_VALUE')).toEqual([[injection], ['#NAME?']]);
    expect(await get('FORMULA')).toEqual([[injection], [injection]]);

    // A leading apostrophe forces text in USER_ENTERED, as in the UI.
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!B4',
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [[`'${injection}`]] },
    });
    expect(sheet.cell('B4')).toMatchObject({ type: 'string', value: injection });
  });

  it('renders date cells per ValueRenderOption and DateTimeRenderOption', async () => {
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!E1',
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [['2024-03-01', '3/1/2024', '42', 'TRUE', '1,234.5', '2024-03-01T10:00:00Z']] },
    });
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!E2',
      valueInputOption: 'RAW',
      requestBody: { values: [['2024-03-01', 7, true]] },
    });
    const read = async (valueRenderOption: string, dateTimeRenderOption?: string) =>
      (
        await api.spreadsheets.values.get({
          spreadsheetId: 'book',
          range: 'Proposals!E1:J2',
          valueRenderOption,
          ...(dateTimeRenderOption ? { dateTimeRenderOption } : {}),
        })
      ).data.values;
    expect(await read('FORMATTED_VALUE')).toEqual([
      ['2024-03-01', '3/1/2024', '42', 'TRUE', '1,234.5', '2024-03-01T10:00:00Z'],
      ['2024-03-01', '7', 'TRUE'],
    ]);
    expect(await read('UNFORMATTED_VALUE')).toEqual([
      [45352, 45352, 42, true, 1234.5, '2024-03-01T10:00:00Z'],
      ['2024-03-01', 7, true],
    ]);
    expect(await read('UNFORMATTED_VALUE', 'FORMATTED_STRING')).toEqual([
      ['2024-03-01', '3/1/2024', 42, true, 1234.5, '2024-03-01T10:00:00Z'],
      ['2024-03-01', 7, true],
    ]);
    expect(await read('FORMULA')).toEqual([
      [45352, 45352, 42, true, 1234.5, '2024-03-01T10:00:00Z'],
      ['2024-03-01', 7, true],
    ]);
    expect(emu.sheet('book', 'Proposals').cell('E1').numberFormat).toEqual({ type: 'DATE', pattern: 'yyyy-mm-dd' });
    expect(emu.sheet('book', 'Proposals').cell('F1').numberFormat).toEqual({ type: 'DATE', pattern: 'M/d/yyyy' });
  });

  it('clears with "", skips null, and reads back without trailing empty rows', async () => {
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!A3:D4',
      valueInputOption: 'RAW',
      requestBody: {
        values: [
          ['', null, '', ''],
          ['', '', '', ''],
        ],
      },
    });
    const res = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!A1:D' });
    expect(res.data.values).toEqual([
      ['ID', 'Title', 'Status', 'Score'],
      ['P-1', 'Alpha', 'Open', '3'],
      ['', 'Bravo'],
    ]);
  });

  it('supports majorDimension COLUMNS for reads and writes', async () => {
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!F1:G3',
      valueInputOption: 'RAW',
      requestBody: { majorDimension: 'COLUMNS', values: [['a', 'b', 'c'], ['d']] },
    });
    const rows = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!F1:G3' });
    expect(rows.data.values).toEqual([['a', 'd'], ['b'], ['c']]);
    const cols = await api.spreadsheets.values.get({
      spreadsheetId: 'book',
      range: 'Proposals!F1:G3',
      majorDimension: 'COLUMNS',
    });
    expect(cols.data.values).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('does not grow the grid on values.update but does on values.append', async () => {
    emu.sheet('book', 'Proposals').resize({ rowCount: 5 });
    const tooFar = await failure(
      api.spreadsheets.values.update({
        spreadsheetId: 'book',
        range: 'Proposals!A5',
        valueInputOption: 'RAW',
        requestBody: { values: [['x'], ['y']] },
      }),
    );
    expect(tooFar.status).toBe(400);
    expect(tooFar.message).toBe('Range (Proposals!A5:A6) exceeds grid limits. Max rows: 5, max columns: 26');
    const tooMuch = await failure(
      api.spreadsheets.values.update({
        spreadsheetId: 'book',
        range: 'Proposals!A1:B1',
        valueInputOption: 'RAW',
        requestBody: { values: [['a', 'b', 'c']] },
      }),
    );
    expect(tooMuch.message).toBe('Requested writing within range [Proposals!A1:B1], but tried writing to column [C]');

    const res = await api.spreadsheets.values.append({
      spreadsheetId: 'book',
      range: 'Proposals!A:D',
      valueInputOption: 'RAW',
      requestBody: {
        values: [
          ['P-4', 'Delta'],
          ['P-5', 'Echo'],
        ],
      },
    });
    expect(res.data.tableRange).toBe('Proposals!A1:D4');
    expect(res.data.updates).toMatchObject({ updatedRange: 'Proposals!A5:B6', updatedRows: 2, updatedCells: 4 });
    expect(emu.sheet('book', 'Proposals').rowCount).toBe(6);
    expect(emu.sheet('book', 'Proposals').lastRow).toBe(6);
  });

  it("refuses to grow a spreadsheet's grids past its cell limit, as Google does at 10 million", async () => {
    const small = new SheetsEmulator({ quota: false, cellLimit: 100 });
    const smallApi = client(await small.start());
    try {
      // 20 × 4 = 80 cells of grid, two of them with values.
      small.createSpreadsheet('full', {
        title: 'Nearly full',
        sheets: [
          {
            title: 'Log',
            rows: [
              ['a', 'b'],
              ['c', 'd'],
            ],
            rowCount: 20,
            columnCount: 4,
          },
        ],
      });
      const append = (rows: number) =>
        smallApi.spreadsheets.values.append({
          spreadsheetId: 'full',
          range: 'Log!A:B',
          valueInputOption: 'RAW',
          insertDataOption: 'INSERT_ROWS',
          requestBody: { values: Array.from({ length: rows }, (_, i) => [`r${i}`, 'x']) },
        });
      // Five inserted rows of four columns: exactly 100 cells.
      await append(5);
      expect(small.sheet('full', 'Log').rowCount).toBe(25);
      const refused = await failure(append(1));
      expect(refused.status).toBe(400);
      expect(refused.message).toBe(
        'This action would increase the number of cells in the workbook above the limit of 100 cells.',
      );
      expect(small.sheet('full', 'Log').rowCount).toBe(25);
      expect(small.sheet('full', 'Log').lastRow).toBe(7);

      const sheetId = small.sheet('full', 'Log').sheetId;
      const grow = await failure(
        smallApi.spreadsheets.batchUpdate({
          spreadsheetId: 'full',
          requestBody: { requests: [{ appendDimension: { sheetId, dimension: 'ROWS', length: 1 } }] },
        }),
      );
      expect(grow.message).toBe(
        'Invalid requests[0].appendDimension: This action would increase the number of cells in the workbook above the limit of 100 cells.',
      );
      // Freeing cells first makes room: the limit is checked request by request, on the whole spreadsheet.
      await smallApi.spreadsheets.batchUpdate({
        spreadsheetId: 'full',
        requestBody: {
          requests: [
            { deleteDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 20, endIndex: 25 } } },
            { appendDimension: { sheetId, dimension: 'ROWS', length: 2 } },
          ],
        },
      });
      expect(small.sheet('full', 'Log').rowCount).toBe(22);
    } finally {
      await small.stop();
    }
  });

  it('appends with INSERT_ROWS by shifting what is below the table', async () => {
    const sheet = emu.sheet('book', 'Proposals');
    sheet.setCell('A8', 'footer');
    await api.spreadsheets.values.append({
      spreadsheetId: 'book',
      range: 'Proposals!A1:D5',
      valueInputOption: 'USER_ENTERED',
      insertDataOption: 'INSERT_ROWS',
      requestBody: { values: [['P-4', 'Delta', 'Open', '4']] },
    });
    expect(sheet.get('A5:A9')).toEqual([['P-4'], [], [], [], ['footer']]);
    expect(sheet.cell('D5').value).toBe(4);
  });

  it('is atomic for values.batchUpdate', async () => {
    const err = await failure(
      api.spreadsheets.values.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          valueInputOption: 'RAW',
          data: [
            { range: 'Proposals!B2', values: [['changed']] },
            { range: 'Nope!A1', values: [['x']] },
          ],
        },
      }),
    );
    expect(err.message).toBe('Unable to parse range: Nope!A1');
    expect(emu.sheet('book', 'Proposals').cell('B2').value).toBe('Alpha');

    const ok = await api.spreadsheets.values.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        valueInputOption: 'RAW',
        data: [
          { range: 'Proposals!B2', values: [['changed']] },
          { range: "'Activity Log'!A7:B7", values: [['2024-04-01', 'note']] },
        ],
      },
    });
    expect(ok.data).toMatchObject({ totalUpdatedCells: 3, totalUpdatedSheets: 2, totalUpdatedRows: 2 });
    expect(emu.calls.at(-1)).toMatchObject({ api: 'values.batchUpdate', kind: 'write', valueInputOption: 'RAW' });
  });

  it('rejects writes without valueInputOption and unknown body fields, like Google', async () => {
    const missing = await failure(
      api.spreadsheets.values.update({
        spreadsheetId: 'book',
        range: 'Proposals!A1',
        requestBody: { values: [['x']] },
      }),
    );
    expect(missing.message).toBe("'valueInputOption' is required but not specified");
    const typo = await failure(
      api.spreadsheets.values.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          valueInputOption: 'RAW',
          data: [],
          valueInputOptions: 'RAW',
        } as sheets_v4.Schema$BatchUpdateValuesRequest,
      }),
    );
    expect(typo.message).toContain('Unknown name "valueInputOptions"');
  });

  it('clears ranges with values.clear and values.batchClear', async () => {
    await api.spreadsheets.values.clear({ spreadsheetId: 'book', range: 'Proposals!D:D' });
    const res = await api.spreadsheets.values.batchClear({
      spreadsheetId: 'book',
      requestBody: { ranges: ["'Activity Log'!A2:B", 'Proposals!A4:D4'] },
    });
    expect(res.data.clearedRanges).toEqual(["'Activity Log'!A2:B1000", 'Proposals!A4:D4']);
    expect(emu.sheet('book', 'Proposals').rows).toEqual([
      ['ID', 'Title', 'Status'],
      ['P-1', 'Alpha', 'Open'],
      ['P-2', 'Bravo', 'Closed'],
    ]);
    expect(emu.sheet('book', 'Activity Log').rows).toEqual([['When', 'What']]);
  });

  it('applies all spreadsheets.batchUpdate requests or none', async () => {
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          requests: [
            { addSheet: { properties: { title: 'Config' } } },
            {
              updateSheetProperties: {
                properties: { sheetId: 0, gridProperties: { frozenRowCount: 1 } },
                fields: 'gridProperties.frozenRowCount',
              },
            },
            {
              setDataValidation: {
                range: { sheetId: 999, startRowIndex: 1 },
                rule: { condition: { type: 'BOOLEAN' } },
              },
            },
          ],
        },
      }),
    );
    expect(err.status).toBe(400);
    expect(err.response!.data).toEqual({
      error: {
        code: 400,
        message: 'Invalid requests[2].setDataValidation: No grid with id: 999',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect(emu.spreadsheet('book').sheetTitles).toEqual(['Proposals', 'Activity Log', "It's"]);
    expect(emu.sheet('book', 'Proposals').frozenRowCount).toBe(0);

    const dup = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          requests: [{ addSheet: { properties: { title: 'X' } } }, { addSheet: { properties: { title: 'x' } } }],
        },
      }),
    );
    expect(dup.message).toBe(
      'Invalid requests[1].addSheet: A sheet with the name "x" already exists. Please enter another name.',
    );

    const ok = await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          {
            addSheet: {
              properties: { sheetId: 77, title: 'Config', gridProperties: { rowCount: 50, columnCount: 5 } },
            },
          },
          {
            updateSheetProperties: {
              properties: { sheetId: 0, gridProperties: { frozenRowCount: 1 } },
              fields: 'gridProperties.frozenRowCount',
            },
          },
          {
            setDataValidation: {
              range: { sheetId: 77, startRowIndex: 1, startColumnIndex: 0, endColumnIndex: 1 },
              rule: {
                condition: { type: 'ONE_OF_LIST', values: [{ userEnteredValue: 'yes' }, { userEnteredValue: 'no' }] },
                strict: true,
              },
            },
          },
          {
            createDeveloperMetadata: {
              developerMetadata: {
                metadataKey: 'bucp.schema',
                metadataValue: '3',
                location: { spreadsheet: true },
                visibility: 'DOCUMENT',
              },
            },
          },
        ],
      },
    });
    expect(ok.data.replies).toHaveLength(4);
    expect(ok.data.replies![0]!.addSheet!.properties).toMatchObject({ sheetId: 77, title: 'Config', index: 3 });
    expect(ok.data.replies![1]).toEqual({});
    expect(ok.data.replies![3]!.createDeveloperMetadata!.developerMetadata).toMatchObject({
      metadataKey: 'bucp.schema',
      location: { locationType: 'SPREADSHEET', spreadsheet: true },
    });
    expect(emu.sheet('book', 'Proposals').frozenRowCount).toBe(1);
    expect(emu.sheet('book', 'Config').dataValidationAt('A2')).toMatchObject({ condition: { type: 'ONE_OF_LIST' } });
    expect(emu.sheet('book', 'Config').dataValidationAt('A1')).toBeUndefined();
    expect(emu.calls.at(-1)!.requestTypes).toEqual([
      'addSheet',
      'updateSheetProperties',
      'setDataValidation',
      'createDeveloperMetadata',
    ]);
  });

  it('shows protected ranges and conditional formats via spreadsheets.get with fields', async () => {
    const add = await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          {
            addProtectedRange: {
              protectedRange: {
                range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 },
                description: 'header',
                editors: { users: ['bot@project.iam.gserviceaccount.com'] },
              },
            },
          },
          {
            addConditionalFormatRule: {
              index: 0,
              rule: {
                ranges: [{ sheetId: 0, startRowIndex: 1, startColumnIndex: 2, endColumnIndex: 3 }],
                booleanRule: {
                  condition: { type: 'TEXT_EQ', values: [{ userEnteredValue: 'Closed' }] },
                  format: { backgroundColor: { red: 1, green: 0.8, blue: 0.8 } },
                },
              },
            },
          },
          {
            addChart: {
              chart: {
                spec: { title: 'Scores', basicChart: { chartType: 'COLUMN' } },
                position: { overlayPosition: { anchorCell: { sheetId: 0, rowIndex: 0, columnIndex: 6 } } },
              },
            },
          },
        ],
      },
    });
    const protectedRangeId = add.data.replies![0]!.addProtectedRange!.protectedRange!.protectedRangeId!;
    expect(protectedRangeId).toEqual(expect.any(Number));
    expect(add.data.replies![2]!.addChart!.chart!.chartId).toEqual(expect.any(Number));

    const res = await api.spreadsheets.get({
      spreadsheetId: 'book',
      fields: 'spreadsheetId,sheets(properties(sheetId,title,gridProperties),protectedRanges,conditionalFormats)',
    });
    expect(Object.keys(res.data).sort()).toEqual(['sheets', 'spreadsheetId']);
    const proposals = res.data.sheets![0]!;
    expect(proposals.properties).toEqual({
      sheetId: 0,
      title: 'Proposals',
      gridProperties: { rowCount: 1000, columnCount: 26 },
    });
    expect(proposals.protectedRanges).toEqual([
      {
        protectedRangeId,
        range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 },
        description: 'header',
        editors: { users: ['bot@project.iam.gserviceaccount.com'] },
        requestingUserCanEdit: true,
      },
    ]);
    expect(proposals.conditionalFormats![0]!.booleanRule!.condition!.type).toBe('TEXT_EQ');
    expect(proposals).not.toHaveProperty('charts');
    expect(proposals).not.toHaveProperty('data');
    expect(emu.sheet('book', 'Proposals').protectedRanges[0]!.a1).toBe('Proposals!1:1');

    const badDelete = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          requests: [
            { insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 1 } } },
            { deleteProtectedRange: { protectedRangeId: 123456 } },
          ],
        },
      }),
    );
    expect(badDelete.message).toBe('Invalid requests[1].deleteProtectedRange: No protected range with id: 123456');
    expect(emu.sheet('book', 'Proposals').cell('A1').value).toBe('ID');
    // Inserting a row above moves the protected header down with it.
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [{ insertDimension: { range: { sheetId: 0, dimension: 'ROWS', startIndex: 0, endIndex: 1 } } }],
      },
    });
    expect(emu.sheet('book', 'Proposals').protectedRanges[0]!.range).toEqual({
      sheetId: 0,
      startRowIndex: 1,
      endRowIndex: 2,
    });
    expect(emu.sheet('book', 'Proposals').cell('A2').value).toBe('ID');

    const full = await api.spreadsheets.get({ spreadsheetId: 'book' });
    expect(full.data.sheets![0]!.charts).toHaveLength(1);
    expect(full.data.sheets![0]).not.toHaveProperty('data');
  });

  it('exposes data validations through includeGridData, real-shaped', async () => {
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          {
            setDataValidation: {
              range: { sheetId: 0, startRowIndex: 1, endRowIndex: 4, startColumnIndex: 2, endColumnIndex: 3 },
              rule: {
                condition: {
                  type: 'ONE_OF_LIST',
                  values: [{ userEnteredValue: 'Open' }, { userEnteredValue: 'Closed' }],
                },
                showCustomUi: true,
              },
            },
          },
          {
            repeatCell: {
              range: { sheetId: 0, startRowIndex: 1, startColumnIndex: 3, endColumnIndex: 4 },
              cell: { userEnteredFormat: { numberFormat: { type: 'NUMBER', pattern: '0.00' } } },
              fields: 'userEnteredFormat.numberFormat',
            },
          },
        ],
      },
    });
    const res = await api.spreadsheets.get({
      spreadsheetId: 'book',
      ranges: ['Proposals!A1:D3'],
      includeGridData: true,
    });
    expect(res.data.sheets).toHaveLength(1);
    const data = res.data.sheets![0]!.data![0]!;
    expect(data.rowData).toHaveLength(3);
    const c2 = data.rowData![1]!.values![2]!;
    expect(c2).toMatchObject({
      userEnteredValue: { stringValue: 'Open' },
      effectiveValue: { stringValue: 'Open' },
      formattedValue: 'Open',
      dataValidation: { condition: { type: 'ONE_OF_LIST' }, showCustomUi: true },
    });
    expect(data.rowData![0]!.values![2]).not.toHaveProperty('dataValidation');
    expect(data.rowData![1]!.values![3]).toMatchObject({
      formattedValue: '3.00',
      userEnteredValue: { numberValue: 3 },
    });
    const read = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!D2' });
    expect(read.data.values).toEqual([['3.00']]);
  });

  it('answers PERMISSION_DENIED, NOT_FOUND and INVALID_ARGUMENT with the real error shape', async () => {
    emu.denyAccess('book');
    const denied = await failure(api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'A1' }));
    expect(denied.status).toBe(403);
    expect(denied.response!.data).toEqual({
      error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' },
    });
    emu.allowAccess('book');

    emu.registerToken('alice-token', 'alice@example.com');
    emu.denyAccess('book', 'alice@example.com');
    const alice = client(rootUrl, 'alice-token');
    expect((await failure(alice.spreadsheets.get({ spreadsheetId: 'book' }))).status).toBe(403);
    expect((await api.spreadsheets.get({ spreadsheetId: 'book' })).status).toBe(200);

    const missing = await failure(api.spreadsheets.get({ spreadsheetId: 'nope' }));
    expect(missing.response!.data).toEqual({
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
    });
    const badSheet = await failure(api.spreadsheets.values.get({ spreadsheetId: 'book', range: "'No Such Tab'!A1:B" }));
    expect(badSheet.response!.data).toEqual({
      error: { code: 400, message: "Unable to parse range: 'No Such Tab'!A1:B", status: 'INVALID_ARGUMENT' },
    });
  });

  it('indents its JSON answers as Google does, unless prettyPrint=false', async () => {
    const read = async (query: string) =>
      (
        await fetch(`${rootUrl}v4/spreadsheets/book/values/Proposals!A1:B2${query}`, {
          headers: { authorization: 'Bearer test-token' },
        })
      ).text();
    const pretty = await read('');
    const compact = await read('?prettyPrint=false');
    expect(pretty).toContain('\n  "range": ');
    expect(compact).not.toContain('\n');
    expect(JSON.parse(pretty)).toEqual(JSON.parse(compact));
  });

  it('requires a bearer token', async () => {
    const res = await fetch(`${rootUrl}v4/spreadsheets/book/values/A1`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    emu.revokeToken('revoked');
    expect((await failure(client(rootUrl, 'revoked').spreadsheets.get({ spreadsheetId: 'book' }))).status).toBe(401);
  });

  it('fails loudly on unknown request types and endpoints', async () => {
    const err = await failure(
      api.spreadsheets.batchUpdate({
        spreadsheetId: 'book',
        requestBody: {
          requests: [{ addSheet: { properties: { title: 'Never' } } }, { frobnicate: {} } as sheets_v4.Schema$Request],
        },
      }),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('Unknown name "frobnicate" at \'requests[1]\'');
    expect(emu.spreadsheet('book').sheetTitles).not.toContain('Never');

    const endpoint = await failure(
      api.spreadsheets.values.batchGetByDataFilter({ spreadsheetId: 'book', requestBody: { dataFilters: [] } }),
    );
    expect(endpoint.status).toBe(404);
    expect(emu.unknownRequests).toEqual([
      expect.objectContaining({ api: 'spreadsheets.batchUpdate', requestType: 'frobnicate' }),
      expect.objectContaining({ method: 'POST', path: '/v4/spreadsheets/book/values:batchGetByDataFilter' }),
    ]);
  });

  it('injects faults at a seeded rate, reproducibly', async () => {
    const run = async () => {
      emu.faults({ rate: 0.2, statuses: [429, 500, 503], seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) {
        try {
          await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'A1' });
          statuses.push(200);
        } catch (e) {
          statuses.push((e as HttpFailure).status ?? 0);
        }
      }
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    const failed = first.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(3);
    expect(failed.length).toBeLessThan(20);
    expect(new Set(failed).size).toBeGreaterThan(1);
    for (const s of failed) expect([429, 500, 503]).toContain(s);
    expect(emu.calls.filter((c) => c.fault === 'injected')).toHaveLength(failed.length * 2);
  });

  it('surfaces a dropped connection as a client error without a response', async () => {
    emu.failNext(1, 'drop');
    const err = await failure(api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'A1' }));
    expect(err.response).toBeUndefined();
    expect(err.code).toBe('ECONNRESET');
    expect(emu.calls.at(-1)).toMatchObject({ status: 0, fault: 'drop' });

    // A write can be applied and then lose its response: the ambiguous case retries must survive.
    emu.failNext(1, 'drop', { afterApply: true });
    await failure(
      api.spreadsheets.values.update({
        spreadsheetId: 'book',
        range: 'Proposals!B2',
        valueInputOption: 'RAW',
        requestBody: { values: [['applied anyway']] },
      }),
    );
    expect(emu.calls.at(-1)).toMatchObject({ status: 0, fault: 'dropAfterApply', applied: true });
    expect(emu.sheet('book', 'Proposals').cell('B2').value).toBe('applied anyway');

    const ok = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!B2' });
    expect(ok.data.values).toEqual([['applied anyway']]);
  });

  it('lets a hook sort a tab between a read and a write', async () => {
    // The store reads, decides "P-3 is on row 4", then writes row 4...
    const read = await api.spreadsheets.values.get({ spreadsheetId: 'book', range: 'Proposals!A:D' });
    const row = read.data.values!.findIndex((r) => r[0] === 'P-3') + 1;
    expect(row).toBe(4);
    // ...but staff sort by Score (descending) just before the write lands.
    let seen: string | undefined;
    emu.onBeforeWrite((ctx) => {
      seen = ctx.api;
      ctx.sortRows('Proposals', { header: 'Score' }, true);
    });
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: `Proposals!C${row}`,
      valueInputOption: 'RAW',
      requestBody: { values: [['Done']] },
    });
    expect(seen).toBe('values.update');
    expect(emu.sheet('book', 'Proposals').rows).toEqual([
      ['ID', 'Title', 'Status', 'Score'],
      ['P-1', 'Alpha', 'Open', '3'],
      ['P-3', 'Charlie', 'Open', '2'],
      ['P-2', 'Bravo', 'Done', '1'],
    ]);
    // The hook ran once only.
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!C2',
      valueInputOption: 'RAW',
      requestBody: { values: [['x']] },
    });
    expect(emu.sheet('book', 'Proposals').cell('A2').value).toBe('P-1');
  });

  it('offers staff helpers: insertRow, deleteRow, editCell, setRows', () => {
    const sheet = emu.sheet('book', 'Proposals');
    sheet.insertRow(2, ['P-0', 'Zero', 'Open', '9']);
    sheet.deleteRow(4);
    sheet.editCell('D2', '=D3*2');
    sheet.editCell('B3', '');
    expect(sheet.rows).toEqual([
      ['ID', 'Title', 'Status', 'Score'],
      ['P-0', 'Zero', 'Open', '#NAME?'],
      ['P-1', '', 'Open', '3'],
      ['P-3', 'Charlie', 'Open', '2'],
    ]);
    expect(sheet.cell('D2')).toMatchObject({ type: 'formula', formula: '=D3*2' });
    sheet.setRows([['only']], { startRow: 2 });
    expect(sheet.get('A2:D2')).toEqual([['only']]);
  });

  it('keeps USER_ENTERED formulas as text in a column formatted as plain text', async () => {
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          {
            repeatCell: {
              range: { sheetId: 0, startColumnIndex: 1, endColumnIndex: 2 },
              cell: { userEnteredFormat: { numberFormat: { type: 'TEXT' } } },
              fields: 'userEnteredFormat.numberFormat',
            },
          },
        ],
      },
    });
    await api.spreadsheets.values.update({
      spreadsheetId: 'book',
      range: 'Proposals!B2:C2',
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [['=HYPERLINK("http://evil")', '=1+1']] },
    });
    const sheet = emu.sheet('book', 'Proposals');
    expect(sheet.cell('B2')).toMatchObject({ type: 'string', value: '=HYPERLINK("http://evil")' });
    expect(sheet.cell('C2')).toMatchObject({ type: 'formula', formula: '=1+1' });
    expect(sheet.formats).toEqual([
      { range: 'Proposals!B:B', format: { numberFormat: { type: 'TEXT' } }, fields: 'numberFormat' },
    ]);
  });

  it('enforces per-minute quotas with 429 RESOURCE_EXHAUSTED and Retry-After', async () => {
    const limited = new SheetsEmulator({ quota: { readsPerMinute: 2, writesPerMinute: 1 }, clock: () => 1_000_000 });
    const url = await limited.start();
    try {
      limited.createSpreadsheet('q', { title: 'Q' });
      const c = client(url);
      await c.spreadsheets.values.get({ spreadsheetId: 'q', range: 'A1' });
      await c.spreadsheets.get({ spreadsheetId: 'q' });
      const err = await failure(c.spreadsheets.values.get({ spreadsheetId: 'q', range: 'A1' }));
      expect(err.status).toBe(429);
      expect(err.response!.headers.get('retry-after')).toBe('20');
      expect(err.response!.data).toMatchObject({
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          message: expect.stringContaining("limit 'Read requests per minute per user'"),
        },
      });
      // Writes have their own bucket.
      await c.spreadsheets.values.update({
        spreadsheetId: 'q',
        range: 'A1',
        valueInputOption: 'RAW',
        requestBody: { values: [['w']] },
      });
      expect((await failure(c.spreadsheets.values.clear({ spreadsheetId: 'q', range: 'A1' }))).status).toBe(429);
      // The quota refills with the next minute; the fake clock makes that instant.
      limited.advanceClock(60_000);
      expect((await c.spreadsheets.values.get({ spreadsheetId: 'q', range: 'A1' })).data.values).toEqual([['w']]);
      expect(limited.calls.filter((x) => x.fault === 'quota')).toHaveLength(2);
    } finally {
      await limited.stop();
    }
  });

  it('issues tokens at /token for a service-account JWT client', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = new JWT({
      email: 'bot@project.iam.gserviceaccount.com',
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      scopes: ['https://www.googleapis.com/auth/spreadsheets'],
    });
    // google-auth-library posts JWT assertions to a fixed https://oauth2.googleapis.com/token;
    // redirect it through the client's transporter.
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === 'https://oauth2.googleapis.com/token') config.url = new URL('token', rootUrl);
        return config;
      },
    });
    emu.denyAccess('book', 'bot@project.iam.gserviceaccount.com');
    const bot = sheets({ version: 'v4', auth: jwt, rootUrl, retry: false });
    expect((await failure(bot.spreadsheets.get({ spreadsheetId: 'book' }))).status).toBe(403);
    expect(emu.calls.find((c) => c.api === 'oauth.token')).toMatchObject({ status: 200, kind: 'auth' });
    expect(emu.calls.at(-1)!.user).toBe('bot@project.iam.gserviceaccount.com');
  });

  it('exchanges refresh tokens at /token (OAuth2Client endpoints.oauth2TokenUrl)', async () => {
    emu.registerRefreshToken('refresh-1', 'carol@example.com');
    const auth = new OAuth2Client({ endpoints: { oauth2TokenUrl: `${rootUrl}token` } });
    auth.setCredentials({ refresh_token: 'refresh-1' });
    const carol = sheets({ version: 'v4', auth, rootUrl, retry: false });
    await carol.spreadsheets.values.get({ spreadsheetId: 'book', range: 'A1' });
    expect(emu.calls.map((c) => c.api)).toEqual(['oauth.token', 'values.get']);
    expect(emu.calls[1]!.user).toBe('carol@example.com');

    const bad = await fetch(`${rootUrl}token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Invalid grant_type: password',
    });
  });

  it('searches and reads developer metadata', async () => {
    const created = await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [
          {
            createDeveloperMetadata: {
              developerMetadata: {
                metadataKey: 'bucp.tab',
                metadataValue: 'proposals',
                location: { sheetId: 0 },
                visibility: 'DOCUMENT',
              },
            },
          },
          {
            createDeveloperMetadata: {
              developerMetadata: {
                metadataKey: 'bucp.column',
                metadataValue: 'status',
                location: { dimensionRange: { sheetId: 0, dimension: 'COLUMNS', startIndex: 2, endIndex: 3 } },
                visibility: 'PROJECT',
              },
            },
          },
        ],
      },
    });
    const id = created.data.replies![0]!.createDeveloperMetadata!.developerMetadata!.metadataId!;
    const one = await api.spreadsheets.developerMetadata.get({ spreadsheetId: 'book', metadataId: id });
    expect(one.data).toMatchObject({ metadataKey: 'bucp.tab', location: { locationType: 'SHEET', sheetId: 0 } });
    const found = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: 'book',
      requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'bucp.column' } }] },
    });
    expect(found.data.matchedDeveloperMetadata).toHaveLength(1);
    expect(found.data.matchedDeveloperMetadata![0]!.developerMetadata!.location!.dimensionRange).toEqual({
      sheetId: 0,
      dimension: 'COLUMNS',
      startIndex: 2,
      endIndex: 3,
    });
    const got = await api.spreadsheets.get({
      spreadsheetId: 'book',
      fields: 'sheets(properties.title,developerMetadata)',
    });
    expect(got.data.sheets![0]).toEqual({
      properties: { title: 'Proposals' },
      developerMetadata: [expect.objectContaining({ metadataKey: 'bucp.tab' })],
    });
    // Deleting the column takes its metadata with it.
    await api.spreadsheets.batchUpdate({
      spreadsheetId: 'book',
      requestBody: {
        requests: [{ deleteDimension: { range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 2, endIndex: 3 } } }],
      },
    });
    expect(emu.sheet('book', 'Proposals').developerMetadata.map((m) => m.metadataKey)).toEqual(['bucp.tab']);
    expect(emu.sheet('book', 'Proposals').rows[0]).toEqual(['ID', 'Title', 'Score']);
  });

  it('creates spreadsheets through the API', async () => {
    const res = await api.spreadsheets.create({
      requestBody: {
        properties: { title: 'New book' },
        sheets: [{ properties: { title: 'Proposals', gridProperties: { frozenRowCount: 1 } } }],
      },
    });
    const id = res.data.spreadsheetId!;
    expect(res.data.sheets![0]!.properties).toMatchObject({
      sheetId: 0,
      title: 'Proposals',
      gridProperties: { rowCount: 1000, columnCount: 26, frozenRowCount: 1 },
    });
    expect(emu.spreadsheet(id).title).toBe('New book');
  });

  it('serves a 100,000 × 33 sheet in one batchGet quickly', async () => {
    const rows: string[][] = [];
    for (let r = 0; r < 100_000; r++) {
      const row: string[] = [];
      for (let c = 0; c < 33; c++) row.push(c === 0 ? `BUCP-${r}` : `v${r % 97}-${c}`);
      rows.push(row);
    }
    emu.createSpreadsheet('big', { title: 'Big', sheets: [{ title: 'Proposals', rows, input: 'RAW' }] });
    const started = performance.now();
    const res = await api.spreadsheets.values.batchGet({ spreadsheetId: 'big', ranges: ['Proposals!A:AG'] });
    const elapsed = performance.now() - started;
    expect(res.data.valueRanges![0]!.values).toHaveLength(100_000);
    expect(res.data.valueRanges![0]!.values![99_999]![32]).toBe('v89-32');
    expect(emu.calls.at(-1)!.durationMs).toBeLessThan(2_000);
    expect(elapsed).toBeLessThan(10_000);
    emu.deleteSpreadsheet('big');
  });
});
