import { describe, expect, test } from 'vitest';
import { readValueRanges } from '../../src/stores/google/value-ranges.ts';

/** A batchGet answer as Google sends it, with the rows of each range. */
function answer(ranges: (unknown[][] | undefined)[], indent?: number): string {
  return JSON.stringify(
    {
      spreadsheetId: 'sheet-[1]',
      valueRanges: ranges.map((values, i) => ({
        range: `'Tab [${i}]'!A1:Z`,
        majorDimension: 'ROWS',
        ...(values ? { values } : {}),
      })),
    },
    null,
    indent,
  );
}

async function* pieces(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield new Uint8Array(bytes.subarray(from, cut));
    from = cut;
  }
}

async function rowsOf(bytes: Buffer, cuts: readonly number[] = []): Promise<unknown[][][]> {
  const out: unknown[][][] = [];
  await readValueRanges(pieces(bytes, cuts), (i, row) => {
    (out[i] ??= []).push(row);
  });
  return out;
}

// Values that would trip a naive splitter: brackets, braces, commas and quotes inside strings,
// escapes (a backslash before a quote, a backslash at the end), multi-byte characters, empty rows.
const TRICKY: unknown[][] = [
  ['BUCP ID', 'Use Case Name', 'Stage Entered On', 'Notes'],
  ['BUCP-001', 'Vital "Stats" [births], {counties}', 46000, null],
  [],
  ['BUCP-002', 'ends with a backslash \\', 46001.5, true],
  ['BUCP-003', 'Año fiscal — 資料 🚑', 0, '\\"]],[["\\'],
  ['BUCP-004', '=IMPORTXML("http://x","//a")', -1, ''],
];

describe('readValueRanges: rows of a batchGet answer as they arrive', () => {
  test.each([
    ['compact', undefined],
    ['pretty-printed, as Google sends it by default', 2],
  ])('%s: every range and row, as JSON.parse reads them', async (_name, indent) => {
    const ranges = [TRICKY, undefined, [['Kind'], ['first-seen']]];
    const rows = await rowsOf(Buffer.from(answer(ranges, indent)));
    expect(rows[0]).toEqual(TRICKY);
    expect(rows[1]).toBeUndefined(); // a range with no values has no rows
    expect(rows[2]).toEqual([['Kind'], ['first-seen']]);
  });

  test('the same rows wherever the answer is cut into chunks (every split point, and three-way splits)', async () => {
    const ranges = [TRICKY, [['A'], ['b']]];
    for (const indent of [undefined, 2]) {
      const bytes = Buffer.from(answer(ranges, indent));
      for (let cut = 1; cut < bytes.length; cut += 1) {
        expect(await rowsOf(bytes, [cut])).toEqual(ranges);
      }
      for (let cut = 1; cut + 7 < bytes.length; cut += 5) {
        // A row spanning three chunks, including splits inside a multi-byte character.
        expect(await rowsOf(bytes, [cut, cut + 3, cut + 7])).toEqual(ranges);
      }
    }
  });

  test('one byte at a time', async () => {
    const bytes = Buffer.from(answer([TRICKY], 2));
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(await rowsOf(bytes, cuts)).toEqual([TRICKY]);
  });

  test('an answer cut off in transit is an error, never a shorter tracker', async () => {
    const bytes = Buffer.from(answer([TRICKY]));
    for (const keep of [bytes.length - 1, bytes.indexOf('BUCP-003'), bytes.indexOf('Año') + 1]) {
      await expect(rowsOf(bytes.subarray(0, keep))).rejects.toThrow(/ended early/);
    }
  });

  test('10,000 rows arrive in order, each once', async () => {
    const values = Array.from({ length: 10_000 }, (_, i) => [`BUCP-${i}`, i, i % 2 === 0]);
    const bytes = Buffer.from(answer([values]));
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096);
    expect(await rowsOf(bytes, cuts)).toEqual([values]);
  });
});
