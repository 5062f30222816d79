import type { Datasheet, StoredRecord } from './datasheet';
import { badParam } from './envelope';

/**
 * The `filterByFormula` subset the simulator understands (anything else is a 400):
 * - operands: `{Field name}` (or `{fldId}`), `"text"` / `'text'`, numbers, `TRUE()`, `FALSE()`, `BLANK()`;
 * - comparisons `= != <> > < >= <=`, and `&&` / `||`;
 * - functions `AND(a, …)`, `OR(a, …)`, `NOT(a)`, `IS_AFTER(a, b)`, `IS_BEFORE(a, b)`,
 *   `LAST_MODIFIED_TIME()`, `CREATED_TIME()`, `RECORD_ID()`, `DATETIME_PARSE("ISO")`.
 * Dates compare as instants: `LAST_MODIFIED_TIME() > "2024-05-01T10:00:00Z"` and
 * `IS_AFTER(LAST_MODIFIED_TIME(), "2024-05-01T10:00:00Z")` are the "modified since" forms.
 */
export const SUPPORTED_FORMULA =
  '{Field}, "text", numbers, = != <> > < >= <=, && ||, AND, OR, NOT, IS_AFTER, IS_BEFORE, LAST_MODIFIED_TIME(), CREATED_TIME(), RECORD_ID(), DATETIME_PARSE, TRUE(), FALSE(), BLANK()';

type Val = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'bool'; v: boolean } | { t: 'date'; v: number } | { t: 'blank' };
type Node = (rec: StoredRecord) => Val;
type Token = { kind: 'field' | 'str' | 'num' | 'ident' | 'op' | 'punct'; text: string };

const BLANK: Val = { t: 'blank' };
const TOKEN =
  /\s*(?:\{([^}]*)\}|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(!=|<>|>=|<=|&&|\|\||[=<>])|([(),]))/y;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw unsupported(`unexpected "${src.slice(at, at + 10)}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'field', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ kind: 'str', text: (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) tokens.push({ kind: 'num', text: m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: 'ident', text: m[5].toUpperCase() });
    else if (m[6] !== undefined) tokens.push({ kind: 'op', text: m[6] });
    else tokens.push({ kind: 'punct', text: m[7] ?? '' });
  }
  return tokens;
}

const unsupported = (why: string) =>
  badParam(`filterByFormula is not supported by the simulator (${why}); supported: ${SUPPORTED_FORMULA}`);

/** Compiles a formula against a datasheet into a record predicate; unknown fields and forms are 400s. */
export function compileFormula(src: string, sheet: Datasheet): (rec: StoredRecord) => boolean {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (text: string): void => {
    if (peek()?.text !== text) throw unsupported(`expected "${text}"`);
    pos++;
  };

  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek()?.text === '||') {
      pos++;
      const [l, r] = [left, parseAnd()];
      left = (rec) => ({ t: 'bool', v: truthy(l(rec)) || truthy(r(rec)) });
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseCompare();
    while (peek()?.text === '&&') {
      pos++;
      const [l, r] = [left, parseCompare()];
      left = (rec) => ({ t: 'bool', v: truthy(l(rec)) && truthy(r(rec)) });
    }
    return left;
  };
  const parseCompare = (): Node => {
    const left = parsePrimary();
    const op = peek();
    if (op?.kind !== 'op' || op.text === '&&' || op.text === '||') return left;
    pos++;
    const right = parsePrimary();
    return (rec) => ({ t: 'bool', v: compare(left(rec), op.text, right(rec)) });
  };
  const parsePrimary = (): Node => {
    const tok = tokens[pos++];
    if (!tok) throw unsupported('formula ends too early');
    if (tok.kind === 'str') return () => ({ t: 'str', v: tok.text });
    if (tok.kind === 'num') return () => ({ t: 'num', v: Number(tok.text) });
    if (tok.kind === 'field') return fieldNode(sheet, tok.text);
    if (tok.text === '(') {
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (tok.kind !== 'ident') throw unsupported(`unexpected "${tok.text}"`);
    expect('(');
    const args: Node[] = [];
    while (peek()?.text !== ')') {
      args.push(parseOr());
      if (peek()?.text === ',') pos++;
      else if (peek()?.text !== ')') throw unsupported('expected "," or ")"');
    }
    pos++;
    return call(tok.text, args);
  };

  const root = parseOr();
  if (pos < tokens.length) throw unsupported(`unexpected "${tokens[pos]?.text}"`);
  return (rec) => truthy(root(rec));
}

function fieldNode(sheet: Datasheet, key: string): Node {
  const field = sheet.field(key, 'name') ?? sheet.field(key, 'id');
  if (!field) throw badParam(`filterByFormula: field "${key}" does not exist in datasheet ${sheet.id}`);
  return (rec) => {
    const v = rec.values.get(field.id);
    if (v === undefined) return BLANK;
    if (field.type === 'Number') return { t: 'num', v: v as number };
    if (field.type === 'DateTime') return { t: 'date', v: v as number };
    if (field.type === 'Checkbox') return { t: 'bool', v: v === true };
    if (field.type === 'Link') return { t: 'str', v: (v as string[]).map((id) => sheet.title(id)).join(', ') };
    return { t: 'str', v: String(v) };
  };
}

function call(name: string, args: Node[]): Node {
  const arity = (n: number) => {
    if (args.length !== n) throw unsupported(`${name}() takes ${n} argument(s)`);
  };
  const [a, b] = args as [Node, Node];
  switch (name) {
    case 'AND':
    case 'OR':
      if (args.length === 0) throw unsupported(`${name}() needs arguments`);
      return name === 'AND'
        ? (rec) => ({ t: 'bool', v: args.every((n) => truthy(n(rec))) })
        : (rec) => ({ t: 'bool', v: args.some((n) => truthy(n(rec))) });
    case 'NOT':
      arity(1);
      return (rec) => ({ t: 'bool', v: !truthy(a(rec)) });
    case 'IS_AFTER':
    case 'IS_BEFORE':
      arity(2);
      return (rec) => ({ t: 'bool', v: compare(toDate(a(rec)), name === 'IS_AFTER' ? '>' : '<', toDate(b(rec))) });
    case 'DATETIME_PARSE':
      arity(1);
      return (rec) => toDate(a(rec));
    case 'LAST_MODIFIED_TIME':
      arity(0);
      return (rec) => ({ t: 'date', v: rec.updatedAt });
    case 'CREATED_TIME':
      arity(0);
      return (rec) => ({ t: 'date', v: rec.createdAt });
    case 'RECORD_ID':
      arity(0);
      return (rec) => ({ t: 'str', v: rec.recordId });
    case 'TRUE':
    case 'FALSE':
      arity(0);
      return () => ({ t: 'bool', v: name === 'TRUE' });
    case 'BLANK':
      arity(0);
      return () => BLANK;
    default:
      throw unsupported(`function ${name}()`);
  }
}

function toDate(v: Val): Val {
  if (v.t === 'date' || v.t === 'blank') return v;
  const ms = v.t === 'num' ? v.v : v.t === 'str' ? Date.parse(v.v) : NaN;
  return Number.isNaN(ms) ? BLANK : { t: 'date', v: ms };
}

function truthy(v: Val): boolean {
  if (v.t === 'blank') return false;
  if (v.t === 'str') return v.v !== '';
  if (v.t === 'num') return v.v !== 0;
  return v.t === 'date' ? true : v.v;
}

function compare(l: Val, op: string, r: Val): boolean {
  let a: string | number | boolean;
  let b: string | number | boolean;
  if (l.t === 'date' || r.t === 'date') {
    const [dl, dr] = [toDate(l), toDate(r)];
    // An empty date only equals blank, and never orders before or after anything.
    if (dl.t !== 'date' || dr.t !== 'date') return (op === '=' && dl.t === dr.t) || ((op === '!=' || op === '<>') && dl.t !== dr.t);
    [a, b] = [dl.v, dr.v];
  } else if (l.t === 'num' || r.t === 'num') {
    const [nl, nr] = [asNumber(l), asNumber(r)];
    if (nl === undefined || nr === undefined) [a, b] = [asText(l), asText(r)];
    else [a, b] = [nl, nr];
  } else if (l.t === 'bool' && r.t === 'bool') {
    [a, b] = [l.v, r.v];
  } else {
    [a, b] = [asText(l), asText(r)];
  }
  switch (op) {
    case '=':
      return a === b;
    case '!=':
    case '<>':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    default:
      return a <= b;
  }
}

function asNumber(v: Val): number | undefined {
  if (v.t === 'num') return v.v;
  if (v.t === 'str' && v.v.trim() !== '' && !Number.isNaN(Number(v.v))) return Number(v.v);
  return undefined;
}

const asText = (v: Val): string => (v.t === 'blank' ? '' : v.t === 'date' ? new Date(v.v).toISOString() : String(v.v));
