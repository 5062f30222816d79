/**
 * Finds where a JSON text breaks, in words an operator can act on. JSON.parse says where only
 * for some errors, and in others quotes a slice of the body (which must not reach logs), so we
 * scan the text ourselves once JSON.parse has failed. Iterative, so deep nesting cannot
 * overflow the stack.
 */
export interface JsonSyntaxError {
  /** 0-based character offset. */
  position: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  problem: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const scanner = new Scanner(text);
  const problem = scanner.run();
  if (problem === undefined) return undefined;
  const atEnd = scanner.i >= text.length;
  return where(text, scanner.i, atEnd ? `${problem}: the body ends too early` : problem);
}

/** `open`: a container was entered and a value is expected next. */
type Step = string | 'open' | undefined;

class Scanner {
  i = 0;
  private readonly stack: string[] = [];
  constructor(private readonly text: string) {}

  /** Returns the problem found, or undefined when the text is valid JSON. */
  run(): string | undefined {
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        const step = this.value();
        if (step !== undefined && step !== 'open') return step;
        expectValue = step === 'open';
        continue;
      }
      this.skipWs();
      const top = this.stack.at(-1);
      const c = this.text[this.i];
      if (top === undefined) return this.i < this.text.length ? 'unexpected content after the end of the JSON value' : undefined;
      if (c === (top === '{' ? '}' : ']')) {
        this.stack.pop();
        this.i++;
      } else if (c === ',') {
        this.i++;
        if (top === '{') {
          const bad = this.key();
          if (bad) return bad;
        }
        expectValue = true;
      } else {
        return top === '{' ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element";
      }
    }
  }

  private skipWs(): void {
    while (this.i < this.text.length && WS.has(this.text[this.i]!)) this.i++;
  }

  private value(): Step {
    this.skipWs();
    const c = this.text[this.i];
    if (c === undefined) return 'expected a value';
    if (c === '{' || c === '[') {
      this.i++;
      this.skipWs();
      if (this.text[this.i] === (c === '{' ? '}' : ']')) {
        this.i++;
        return undefined;
      }
      this.stack.push(c);
      return c === '{' ? (this.key() ?? 'open') : 'open';
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = this.i;
      if (!NUMBER.test(this.text)) return 'invalid number';
      this.i = NUMBER.lastIndex;
      return undefined;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (this.text.startsWith(lit, this.i)) {
        this.i += lit.length;
        return undefined;
      }
    }
    return 'unexpected character where a value should start';
  }

  /** Reads `"name" :`; the value after it is read by the caller. */
  private key(): string | undefined {
    this.skipWs();
    if (this.text[this.i] !== '"') return 'expected a property name in double quotes';
    const bad = this.string();
    if (bad) return bad;
    this.skipWs();
    if (this.text[this.i] !== ':') return "expected ':' after a property name";
    this.i++;
    return undefined;
  }

  private string(): string | undefined {
    const t = this.text;
    this.i++; // opening quote
    while (this.i < t.length) {
      const c = t[this.i]!;
      if (c === '"') {
        this.i++;
        return undefined;
      }
      if (c.charCodeAt(0) < 0x20) return 'unescaped line break or control character inside a string';
      if (c === '\\') {
        const next = t[this.i + 1];
        if (next === 'u') {
          if (!HEX4.test(t.slice(this.i + 2, this.i + 6))) return 'invalid \\u escape in a string';
          this.i += 6;
          continue;
        }
        if (next === undefined || !ESCAPES.has(next)) return 'invalid escape in a string';
        this.i += 2;
        continue;
      }
      this.i++;
    }
    return 'unterminated string';
  }
}

/** Line and column (1-based) of a character offset, with the problem found there. */
export function where(text: string, position: number, problem: string): JsonSyntaxError {
  const pos = Math.min(position, text.length);
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < pos; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return { position: pos, line, column: pos - lineStart + 1, problem };
}
