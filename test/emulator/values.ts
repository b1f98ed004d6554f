/**
 * Cell values for the Sheets emulator: how typed input becomes a stored value
 * (ValueInputOption), and how stored values are rendered back (ValueRenderOption,
 * DateTimeRenderOption). Locale is en_US, time zone irrelevant (serials are naive).
 *
 * USER_ENTERED parsing (a subset of what the Sheets UI does, enough for tests):
 * - `=...` (more than one character) is a formula, unless the cell is formatted as plain text (`TEXT`).
 * - a leading `'` forces text and is dropped (`'=1+1` stores the string `=1+1`).
 * - `TRUE` / `FALSE` (any case) become booleans.
 * - numbers: `42`, `-3.5`, `1e3`, `1,234.5` (gets `#,##0.0…`), `12%` (0.12, PERCENT), `$5.25` (CURRENCY).
 * - dates: `2024-03-01` (DATE `yyyy-mm-dd`), `3/1/2024` (DATE `M/d/yyyy`), either with ` 13:45[:30]`
 *   (DATE_TIME), and `13:45[:30]` alone (TIME). They are stored as serial numbers (days since
 *   1899-12-30) and the detected number format is given to the cell unless it already has one.
 * - anything else, including ISO timestamps with `T…Z`, stays a string.
 * RAW stores strings exactly as given (a leading `=` or `'` is kept, never a formula).
 * In both modes JSON numbers and booleans are stored as such, and `""` clears the cell.
 */

export type Scalar = string | number | boolean;

export interface NumberFormat {
  type: string;
  pattern?: string;
}

export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type DateTimeRenderOption = 'SERIAL_NUMBER' | 'FORMATTED_STRING';
export type ValueInputOption = 'RAW' | 'USER_ENTERED';

export type ParsedInput =
  | { kind: 'clear' }
  | { kind: 'value'; value: Scalar; numberFormat?: NumberFormat }
  | { kind: 'formula'; formula: string };

const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(1899, 11, 30);

export function dateToSerial(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return (Date.UTC(y, mo - 1, d) - EPOCH_MS) / DAY_MS + (h * 3600 + mi * 60 + s) / 86400;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function serialToParts(serial: number): DateParts {
  let days = Math.floor(serial);
  let secs = Math.round((serial - days) * 86400);
  if (secs >= 86400) {
    days += 1;
    secs -= 86400;
  }
  const date = new Date(EPOCH_MS + days * DAY_MS);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
    weekday: date.getUTCDay(),
  };
}

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || y < 1 || y > 9999) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function validTime(h: number, mi: number, s: number): boolean {
  return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60;
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const TIME_ONLY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^([+-]?)(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$/;
const PERCENT = /^([+-]?(?:\d+\.?\d*|\.\d+))%$/;
const CURRENCY = /^(-?)\$(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d+))?$/;

/** A typed date (with an optional time) as Sheets stores it: a serial in the matching format, or the text if invalid. */
function dateEntry(
  input: string,
  [y, mo, d]: [number, number, number],
  time: (string | undefined)[],
  patterns: { date: string; dateTime: string },
): ParsedInput {
  const [h, mi, s] = [Number(time[0] ?? 0), Number(time[1] ?? 0), Number(time[2] ?? 0)];
  if (!validDate(y, mo, d) || !validTime(h, mi, s)) return { kind: 'value', value: input };
  return {
    kind: 'value',
    value: dateToSerial(y, mo, d, h, mi, s),
    numberFormat:
      time[0] !== undefined
        ? { type: 'DATE_TIME', pattern: patterns.dateTime }
        : { type: 'DATE', pattern: patterns.date },
  };
}

function isDigitOrSign(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46 || code === 36;
}

/** Parses one typed value the way the Sheets UI would (see the module comment). */
export function parseUserEntered(input: Scalar, existingFormat?: NumberFormat): ParsedInput {
  if (typeof input !== 'string') return { kind: 'value', value: input };
  if (input === '') return { kind: 'clear' };
  if (existingFormat?.type === 'TEXT') return { kind: 'value', value: input };
  const first = input.charCodeAt(0);
  if (first === 39 /* ' */) {
    const rest = input.slice(1);
    return rest === '' ? { kind: 'clear' } : { kind: 'value', value: rest };
  }
  if (first === 61 /* = */ && input.length > 1) return { kind: 'formula', formula: input };
  const upper = input.length <= 5 ? input.toUpperCase() : '';
  if (upper === 'TRUE') return { kind: 'value', value: true };
  if (upper === 'FALSE') return { kind: 'value', value: false };
  if (!isDigitOrSign(first)) return { kind: 'value', value: input };
  if (PLAIN_NUMBER.test(input)) return { kind: 'value', value: Number(input) };
  let m = GROUPED_NUMBER.exec(input);
  if (m) {
    const decimals = m[3]?.length ?? 0;
    const value = Number(`${m[1]}${m[2]!.replace(/,/g, '')}${decimals ? `.${m[3]}` : ''}`);
    return {
      kind: 'value',
      value,
      numberFormat: { type: 'NUMBER', pattern: decimals ? `#,##0.${'0'.repeat(decimals)}` : '#,##0' },
    };
  }
  m = PERCENT.exec(input);
  if (m) {
    const decimals = m[1]!.includes('.') ? m[1]!.split('.')[1]!.length : 0;
    return {
      kind: 'value',
      value: Number(m[1]) / 100,
      numberFormat: { type: 'PERCENT', pattern: decimals ? `0.${'0'.repeat(decimals)}%` : '0%' },
    };
  }
  m = CURRENCY.exec(input);
  if (m) {
    const value = Number(`${m[1]}${m[2]!.replace(/,/g, '')}${m[3] ? `.${m[3]}` : ''}`);
    return { kind: 'value', value, numberFormat: { type: 'CURRENCY', pattern: '"$"#,##0.00' } };
  }
  m = ISO_DATE.exec(input);
  if (m) {
    return dateEntry(input, [Number(m[1]), Number(m[2]), Number(m[3])], m.slice(4, 7), {
      date: 'yyyy-mm-dd',
      dateTime: 'yyyy-mm-dd hh:mm:ss',
    });
  }
  m = US_DATE.exec(input);
  if (m) {
    return dateEntry(input, [Number(m[3]), Number(m[1]), Number(m[2])], m.slice(4, 7), {
      date: 'M/d/yyyy',
      dateTime: 'M/d/yyyy H:mm:ss',
    });
  }
  m = TIME_ONLY.exec(input);
  if (m) {
    const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (validTime(h, mi, s)) {
      return {
        kind: 'value',
        value: (h * 3600 + mi * 60 + s) / 86400,
        numberFormat: { type: 'TIME', pattern: 'h:mm:ss am/pm' },
      };
    }
  }
  return { kind: 'value', value: input };
}

export function isDateLike(format: NumberFormat | undefined): boolean {
  return format !== undefined && (format.type === 'DATE' || format.type === 'TIME' || format.type === 'DATE_TIME');
}

const DEFAULT_PATTERNS: Record<string, string> = {
  DATE: 'M/d/yyyy',
  TIME: 'h:mm:ss am/pm',
  DATE_TIME: 'M/d/yyyy H:mm:ss',
  NUMBER: '#,##0.00',
  PERCENT: '0.00%',
  CURRENCY: '"$"#,##0.00',
};

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type DateToken = { kind: 'lit'; text: string } | { kind: 'y' | 'm' | 'd' | 'h' | 's' | 'ampm'; len: number };

const tokenCache = new Map<string, DateToken[]>();

function tokenizeDatePattern(pattern: string): DateToken[] {
  const cached = tokenCache.get(pattern);
  if (cached) return cached;
  const tokens: DateToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const lower = ch.toLowerCase();
    if (ch === '"') {
      const close = pattern.indexOf('"', i + 1);
      const end = close < 0 ? pattern.length : close;
      tokens.push({ kind: 'lit', text: pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      tokens.push({ kind: 'lit', text: pattern[i + 1]! });
      i += 2;
    } else if (pattern.slice(i, i + 5).toLowerCase() === 'am/pm') {
      tokens.push({ kind: 'ampm', len: 5 });
      i += 5;
    } else if (pattern.slice(i, i + 3).toLowerCase() === 'a/p') {
      tokens.push({ kind: 'ampm', len: 3 });
      i += 3;
    } else if (lower === 'y' || lower === 'm' || lower === 'd' || lower === 'h' || lower === 's') {
      let j = i;
      while (j < pattern.length && pattern[j]!.toLowerCase() === lower) j++;
      tokens.push({ kind: lower, len: j - i });
      i = j;
    } else {
      tokens.push({ kind: 'lit', text: ch });
      i++;
    }
  }
  tokenCache.set(pattern, tokens);
  return tokens;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Formats a serial number with a Sheets date/time pattern (`yyyy-mm-dd`, `M/d/yyyy`, `hh:mm:ss`, `am/pm`...). */
export function formatDate(serial: number, pattern: string): string {
  const tokens = tokenizeDatePattern(pattern);
  const p = serialToParts(serial);
  const twelveHour = tokens.some((t) => t.kind === 'ampm');
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.kind) {
      case 'lit':
        out += t.text;
        break;
      case 'y':
        out += t.len <= 2 ? pad2(p.year % 100) : String(p.year).padStart(4, '0');
        break;
      case 'm': {
        // m/mm means minutes right after an hour token or right before a seconds token.
        const prev = tokens.slice(0, i).findLast((x) => x.kind !== 'lit');
        const next = tokens.slice(i + 1).find((x) => x.kind !== 'lit');
        const minutes = t.len <= 2 && (prev?.kind === 'h' || next?.kind === 's');
        if (minutes) out += t.len === 2 ? pad2(p.minute) : String(p.minute);
        else if (t.len === 1) out += String(p.month);
        else if (t.len === 2) out += pad2(p.month);
        else if (t.len === 3) out += MONTHS[p.month - 1]!.slice(0, 3);
        else if (t.len === 5) out += MONTHS[p.month - 1]!.slice(0, 1);
        else out += MONTHS[p.month - 1]!;
        break;
      }
      case 'd':
        if (t.len === 1) out += String(p.day);
        else if (t.len === 2) out += pad2(p.day);
        else if (t.len === 3) out += WEEKDAYS[p.weekday]!.slice(0, 3);
        else out += WEEKDAYS[p.weekday]!;
        break;
      case 'h': {
        const h = twelveHour ? ((p.hour + 11) % 12) + 1 : p.hour;
        out += t.len >= 2 ? pad2(h) : String(h);
        break;
      }
      case 's':
        out += t.len >= 2 ? pad2(p.second) : String(p.second);
        break;
      case 'ampm':
        out += t.len === 3 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM';
        break;
    }
  }
  return out;
}

/** The "Automatic" format: integers as is, other numbers to 10 significant digits, huge ones in E notation. */
export function formatAutomatic(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-9)) {
    const [mant, exp] = n.toExponential(5).split('e');
    const e = Number(exp);
    return `${String(Number(mant))}E${e < 0 ? '-' : '+'}${pad2(Math.abs(e))}`;
  }
  return String(Number(n.toPrecision(10)));
}

const NUMERIC_PATTERN = /^([^0#,.]*?)([#0][#0,]*)(?:\.([0#]+))?([^0#]*)$/;

function formatNumeric(n: number, pattern: string): string {
  // Only the first section of `pos;neg;zero;text` patterns is honoured.
  const section = pattern.split(';')[0]!;
  const m = NUMERIC_PATTERN.exec(section);
  if (!m) return formatAutomatic(n);
  const literal = (s: string): string => s.replace(/"([^"]*)"/g, '$1').replace(/\\(.)/g, '$1');
  const prefix = literal(m[1]!);
  const suffix = literal(m[4]!);
  const percent = suffix.includes('%') || prefix.includes('%');
  const value = percent ? n * 100 : n;
  const decimals = m[3] ?? '';
  const minDecimals = (decimals.match(/0/g) ?? []).length;
  const maxDecimals = decimals.length;
  let text = Math.abs(value).toFixed(maxDecimals);
  if (maxDecimals > minDecimals) {
    const [int, frac = ''] = text.split('.');
    let f = frac;
    while (f.length > minDecimals && f.endsWith('0')) f = f.slice(0, -1);
    text = f ? `${int}.${f}` : int!;
  }
  if (m[2]!.includes(',')) {
    const [int, frac] = text.split('.');
    text = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac !== undefined ? `.${frac}` : '');
  }
  const minInt = (m[2]!.match(/0/g) ?? []).length;
  if (minInt === 0 && text.startsWith('0.')) text = text.slice(1);
  const negative = value < 0 && Number(text.replace(/[^0-9.]/g, '')) !== 0;
  return `${negative ? '-' : ''}${prefix}${text}${suffix}`;
}

const dateCache = new Map<string, string>();

/** Renders a number as FORMATTED_VALUE under a number format (or Automatic when none). */
export function formatNumber(n: number, format: NumberFormat | undefined): string {
  if (!format) return formatAutomatic(n);
  const pattern = format.pattern || DEFAULT_PATTERNS[format.type];
  if (isDateLike(format)) {
    const key = `${pattern ?? ''}|${n}`;
    let text = dateCache.get(key);
    if (text === undefined) {
      if (dateCache.size > 50_000) dateCache.clear();
      text = formatDate(n, pattern ?? 'M/d/yyyy');
      dateCache.set(key, text);
    }
    return text;
  }
  if (format.type === 'TEXT' || !pattern) return formatAutomatic(n);
  if (format.type === 'SCIENTIFIC') return formatAutomatic(n);
  return formatNumeric(n, pattern);
}

/** Renders one stored (non-empty) cell for the values API. */
export function renderValue(
  value: Scalar,
  formula: string | undefined,
  format: NumberFormat | undefined,
  render: ValueRenderOption,
  dateRender: DateTimeRenderOption,
): Scalar {
  if (render === 'FORMULA' && formula !== undefined) return formula;
  if (typeof value === 'number') {
    if (render === 'FORMATTED_VALUE') return formatNumber(value, format);
    if (dateRender === 'FORMATTED_STRING' && isDateLike(format)) return formatNumber(value, format);
    return value;
  }
  if (typeof value === 'boolean') return render === 'FORMATTED_VALUE' ? (value ? 'TRUE' : 'FALSE') : value;
  return value;
}

/** Error values a formula can evaluate to, with their ErrorValue.type in the API. */
export const ERROR_TYPES: Record<string, string> = {
  '#NULL!': 'NULL_VALUE',
  '#DIV/0!': 'DIVIDE_BY_ZERO',
  '#VALUE!': 'VALUE',
  '#REF!': 'REF',
  '#NAME?': 'NAME',
  '#NUM!': 'NUM',
  '#N/A': 'N_A',
  '#ERROR!': 'ERROR',
  'Loading...': 'LOADING',
};
