/**
 * The part of Airtable's formula language that `filterByFormula` is given by a store:
 *
 *   {Field Name}                      a field's value ("" when empty, 0/1 for a checkbox)
 *   'text' "text"                     strings, with \' \" \\ escapes
 *   12  3.5                           numbers
 *   = != < > <= >=                    comparisons (numbers as numbers, else as text)
 *   &                                 text concatenation
 *   AND(a, ...) OR(a, ...) NOT(a)     logic
 *   RECORD_ID() BLANK() TRUE() FALSE()
 *   LOWER(s) UPPER(s) TRIM(s) LEN(s)  text helpers
 *   FIND(needle, haystack)            1-based position, 0 when absent
 *
 * Anything else (other functions, unknown fields) fails with 422 INVALID_FILTER_BY_FORMULA,
 * so a store that starts to rely on more of the language finds out in its tests.
 */
import { errors, type CellValue, type FieldModel } from './model.ts';

type Value = string | number | boolean;

type Node =
  | { kind: 'lit'; value: Value }
  | { kind: 'field'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'bin'; op: string; left: Node; right: Node };

interface Token {
  t: 'str' | 'num' | 'field' | 'ident' | 'op' | '(' | ')' | ',';
  v: string;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        s += text[i];
        i++;
      }
      if (i >= text.length) throw errors.invalidFormula('unterminated string');
      i++;
      out.push({ t: 'str', v: s });
    } else if (c === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) throw errors.invalidFormula('unterminated field reference');
      out.push({ t: 'field', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^\d*\.?\d+/.exec(text.slice(i));
      if (!m) throw errors.invalidFormula(`unexpected "${c}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      out.push({ t: 'ident', v: m[0].toUpperCase() });
      i += m[0].length;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else {
      const m = /^(!=|<=|>=|=|<|>|&)/.exec(text.slice(i));
      if (!m) throw errors.invalidFormula(`unexpected "${c}"`);
      out.push({ t: 'op', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

const FUNCTIONS: Record<string, [number, number]> = {
  AND: [1, Infinity],
  OR: [1, Infinity],
  NOT: [1, 1],
  RECORD_ID: [0, 0],
  BLANK: [0, 0],
  TRUE: [0, 0],
  FALSE: [0, 0],
  LOWER: [1, 1],
  UPPER: [1, 1],
  TRIM: [1, 1],
  LEN: [1, 1],
  FIND: [2, 3],
};

function parse(tokens: Token[]): Node {
  let pos = 0;
  const peek = () => tokens[pos];
  const expect = (t: Token['t']) => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== t) throw errors.invalidFormula(`expected ${t}`);
    return tok;
  };
  const comparison = (): Node => {
    let left = concat();
    while (peek()?.t === 'op' && peek()!.v !== '&') {
      const op = tokens[pos++]!.v;
      left = { kind: 'bin', op, left, right: concat() };
    }
    return left;
  };
  const concat = (): Node => {
    let left = primary();
    while (peek()?.t === 'op' && peek()!.v === '&') {
      pos++;
      left = { kind: 'bin', op: '&', left, right: primary() };
    }
    return left;
  };
  const primary = (): Node => {
    const tok = tokens[pos++];
    if (!tok) throw errors.invalidFormula('unexpected end of formula');
    if (tok.t === 'str') return { kind: 'lit', value: tok.v };
    if (tok.t === 'num') return { kind: 'lit', value: Number(tok.v) };
    if (tok.t === 'field') return { kind: 'field', name: tok.v };
    if (tok.t === '(') {
      const inner = comparison();
      expect(')');
      return inner;
    }
    if (tok.t === 'ident') {
      const arity = FUNCTIONS[tok.v];
      if (!arity) throw errors.invalidFormula(`unknown function ${tok.v}`);
      expect('(');
      const args: Node[] = [];
      if (peek()?.t !== ')') {
        args.push(comparison());
        while (peek()?.t === ',') {
          pos++;
          args.push(comparison());
        }
      }
      expect(')');
      if (args.length < arity[0] || args.length > arity[1])
        throw errors.invalidFormula(`wrong number of arguments to ${tok.v}`);
      return { kind: 'call', name: tok.v, args };
    }
    throw errors.invalidFormula(`unexpected "${tok.v}"`);
  };
  const node = comparison();
  if (pos !== tokens.length) throw errors.invalidFormula(`unexpected "${tokens[pos]!.v}"`);
  return node;
}

export interface FormulaRecord {
  id: string;
  cells: Map<string, CellValue>;
}

export type CompiledFormula = (record: FormulaRecord) => boolean;

const truthy = (v: Value): boolean => (typeof v === 'string' ? v !== '' : typeof v === 'number' ? v !== 0 : v);

function compare(op: string, a: Value, b: Value): boolean {
  const numeric = (v: Value) => (typeof v === 'boolean' ? Number(v) : v);
  const x = numeric(a);
  const y = numeric(b);
  if (typeof x === 'number' && typeof y === 'number') {
    return op === '='
      ? x === y
      : op === '!='
        ? x !== y
        : op === '<'
          ? x < y
          : op === '>'
            ? x > y
            : op === '<='
              ? x <= y
              : x >= y;
  }
  // A blank cell equals 0 and "" alike, as in Airtable.
  const sx = String(x);
  const sy = String(y);
  if (op === '=') return sx === sy || (sx === '' && sy === '0') || (sx === '0' && sy === '');
  if (op === '!=') return !compare('=', a, b);
  return op === '<' ? sx < sy : op === '>' ? sx > sy : op === '<=' ? sx <= sy : sx >= sy;
}

/** Parses a formula against a table's fields; throws INVALID_FILTER_BY_FORMULA on anything unsupported. */
export function compileFormula(text: string, field: (name: string) => FieldModel | undefined): CompiledFormula {
  const root = parse(tokenize(text));
  const check = (n: Node): void => {
    if (n.kind === 'field' && !field(n.name)) throw errors.invalidFormula(`Unknown field names: ${n.name}`);
    if (n.kind === 'call') n.args.forEach(check);
    if (n.kind === 'bin') {
      check(n.left);
      check(n.right);
    }
  };
  check(root);
  const evaluate = (n: Node, r: FormulaRecord): Value => {
    switch (n.kind) {
      case 'lit':
        return n.value;
      case 'field': {
        const f = field(n.name)!;
        const v = r.cells.get(f.id);
        if (f.type === 'checkbox') return v ? 1 : 0;
        if (Array.isArray(v)) return v.join(', ');
        return v === undefined ? '' : (v as Value);
      }
      case 'bin': {
        const a = evaluate(n.left, r);
        const b = evaluate(n.right, r);
        return n.op === '&' ? `${String(a)}${String(b)}` : compare(n.op, a, b);
      }
      case 'call': {
        const args = () => n.args.map((a) => evaluate(a, r));
        switch (n.name) {
          case 'AND':
            return n.args.every((a) => truthy(evaluate(a, r)));
          case 'OR':
            return n.args.some((a) => truthy(evaluate(a, r)));
          case 'NOT':
            return !truthy(evaluate(n.args[0]!, r));
          case 'RECORD_ID':
            return r.id;
          case 'BLANK':
            return '';
          case 'TRUE':
            return true;
          case 'FALSE':
            return false;
          case 'LOWER':
            return String(args()[0]).toLowerCase();
          case 'UPPER':
            return String(args()[0]).toUpperCase();
          case 'TRIM':
            return String(args()[0]).trim();
          case 'LEN':
            return String(args()[0]).length;
          case 'FIND': {
            const [needle, hay, start] = args();
            return String(hay).indexOf(String(needle), Math.max(0, Number(start ?? 1) - 1)) + 1;
          }
        }
        throw errors.invalidFormula(`unknown function ${n.name}`);
      }
    }
  };
  return (r) => truthy(evaluate(root, r));
}
