/**
 * Reads a values.batchGet answer as it arrives, row by row, so a big tracker's answer never sits in
 * memory whole: not as one string (40 MB at 100,000 rows), and not as one parsed tree beside it.
 *
 * The answer is `{"spreadsheetId": …, "valueRanges": [{"range": …, "majorDimension": "ROWS",
 * "values": [[…], […]]}, …]}`, compact or pretty-printed. This finds where each row's array begins and
 * ends, and lets JSON.parse read the rows that arrived together, in one call per network chunk. A
 * general streaming JSON parser would tokenize every value in JavaScript, several times slower, and
 * the format is fixed by Google's API.
 */

/** The error code of an answer that ended early: the transport retries it like a dropped connection. */
export const CUT_OFF = 'ANSWER_CUT_OFF';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Nesting depths in the answer: its object, the valueRanges list, one range, its values, one row. */
const RANGE_DEPTH = 3;
const VALUES_DEPTH = 4;
const ROW_DEPTH = 5;

/**
 * Calls `onRow(rangeIndex, row)` for each row of each value range, in order. `rangeIndex` counts the
 * value ranges as they come, which is the order of the ranges asked for. Throws when the answer ends
 * inside a row or a string: a cut-off answer is an error, never a shorter tracker.
 */
export async function readValueRanges(
  body: AsyncIterable<Uint8Array | string>,
  onRow: (rangeIndex: number, row: unknown[]) => void,
): Promise<void> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let range = -1;
  /** The start of a row that began in an earlier chunk, still to be completed. */
  let carried: Buffer[] = [];

  const emit = (text: string) => {
    for (const row of JSON.parse(`[${text}]`) as unknown[][]) onRow(range, row);
  };

  for await (const piece of body) {
    const chunk =
      typeof piece === 'string'
        ? Buffer.from(piece, 'utf8')
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    /** The complete rows of this chunk: from `first` (the start of one, or 0 for a carried row) to `end`. */
    let first = -1;
    let end = -1;
    /** The next backslash at or after the scan, found once and reused: escapes are rare. */
    let nextSlash = -1;
    const flush = () => {
      if (end < 0) return;
      const rows = chunk.subarray(first, end);
      emit((carried.length > 0 ? Buffer.concat([...carried, rows]) : rows).toString('utf8'));
      carried = [];
      first = -1;
      end = -1;
    };
    for (let i = 0; i < chunk.length; i += 1) {
      if (inString) {
        // Most of an answer is string content: jump to the next quote or backslash instead of stepping.
        if (escaped) {
          escaped = false;
          continue;
        }
        const quote = chunk.indexOf(QUOTE, i);
        if (nextSlash < i) {
          const found = chunk.indexOf(BACKSLASH, i);
          nextSlash = found < 0 ? chunk.length : found;
        }
        const slash = nextSlash < chunk.length ? nextSlash : -1;
        if (slash >= 0 && (quote < 0 || slash < quote)) {
          i = slash;
          escaped = true;
        } else if (quote >= 0) {
          i = quote;
          inString = false;
        } else {
          i = chunk.length;
        }
        continue;
      }
      const b = chunk[i]!;
      if (b === QUOTE) {
        inString = true;
      } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        depth += 1;
        if (depth === RANGE_DEPTH && b === OPEN_OBJECT) range += 1;
        else if (depth === ROW_DEPTH && first < 0 && carried.length === 0) first = i;
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
        if (depth === ROW_DEPTH) {
          if (first < 0) first = 0; // the carried row ends here
          end = i + 1;
        } else if (depth === VALUES_DEPTH) {
          flush(); // the range's last rows, before the next range begins
        }
        depth -= 1;
      }
    }
    if (depth >= ROW_DEPTH) {
      // This chunk ends inside a row: its complete rows go now, the rest waits for the next chunk.
      const rowStart = lastRowStart(chunk, end, first);
      const partial = chunk.subarray(rowStart);
      flush();
      carried.push(Buffer.from(partial));
    } else {
      flush();
    }
  }
  if (depth !== 0 || inString || carried.length > 0) {
    throw Object.assign(new Error('The values.batchGet answer ended early (cut off in transit)'), { code: CUT_OFF });
  }
}

/** Where the unfinished row at the end of a chunk begins: after the last complete row, at its `[`. */
function lastRowStart(chunk: Buffer, end: number, first: number): number {
  if (end < 0) return first < 0 ? 0 : first;
  // Between the last complete row and the unfinished one there is only a comma and whitespace.
  const start = chunk.indexOf(OPEN_ARRAY, end);
  return start < 0 ? chunk.length : start;
}
