import { isPersonalKey, maskPatterns, maskPersonalValue, normalizeKey } from './personal-data';
import { clipForDisplay, clipped } from './truncate';

/** How everything a person reads (dashboard answers, CLI output) is masked. */
export interface MaskPolicy {
  /** True for keys whose values are personal data: the configured field names and the usual suspects. */
  isPersonalKey(key: string): boolean;
  /** Free text (an error message, a detail): emails, phone numbers and `"<personal field>": value` pairs masked. */
  text(text: string): string;
  /** A webhook body as stored, cut to `maxShownChars`: parsed and masked by field when it is JSON, masked as text when it is not. */
  body(rawBody: string): string;
  /** A deep copy of a JSON-like value with every personal value and every string masked, long strings cut with a marker. */
  value<T>(value: T): T;
}

export interface MaskPolicyOptions {
  /** AITable field names holding personal data (from config: the lead mapping and PERSONAL_DATA_FIELDS). */
  personalFields?: readonly string[];
  /**
   * Longest string shown; longer ones (a 1 MB notes field) are cut, marked `… [truncated: …]`.
   * @defaultValue 10000
   */
  maxShownChars?: number;
}

// `"Key": ` inside text; its value is found by valueEnd, so a body AITable sent with an
// unescaped quote in a value (`"Company": "Acme "Best" Ltd"`) is still masked whole.
const KEY_IN_TEXT = /"([^"\\\n]{1,100})"\s*:\s*/g;
// The key that starts the next pair: `"key":` right after a comma (whitespace allowed around).
const NEXT_KEY = /\s*"[^"\\\n]{1,100}"\s*:/y;
const MAX_DEPTH = 20;
const DEFAULT_MAX_SHOWN = 10_000;

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * Where a value in text ends: before the next `, "key":`, before a closing brace or bracket, or at
 * the end of the text. Line breaks do not end it: a value with a raw line break (`"Robert⏎Tables"`)
 * or a number split over two lines is masked whole. A flat array or object value (`["a.example"]`)
 * ends after its own closing bracket, so it is replaced whole and JSON stays JSON; a nested one is cut
 * at its first closing bracket as before.
 */
function valueEnd(text: string, start: number): number {
  let end = text.length;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '}' || c === ']') {
      const opener = c === ']' ? '[' : '{';
      if (text[start] === opener && !/[[{]/.test(text.slice(start + 1, i))) return i + 1;
      end = i;
      break;
    }
    if (c === ',') {
      NEXT_KEY.lastIndex = i + 1;
      if (NEXT_KEY.test(text)) {
        end = i;
        break;
      }
    }
  }
  while (end > start && isSpace(text[end - 1])) end--;
  return end;
}

function maskValueText(v: string): string {
  const quoted = /^"([\s\S]*)"$/.exec(v);
  const masked = quoted ? maskPersonalValue(quoted[1]) : /^[[{]/.test(v) ? '***' : maskPersonalValue(v);
  return `"${String(masked)}"`;
}

/** Builds the policy; the configured field names are matched like keys (case, spaces and `_` ignored). */
export function createMaskPolicy(opts: MaskPolicyOptions = {}): MaskPolicy {
  const fields = new Set((opts.personalFields ?? []).map(normalizeKey).filter(Boolean));
  const maxShown = opts.maxShownChars ?? DEFAULT_MAX_SHOWN;
  // Answers repeat the same few keys thousands of times (a list of jobs): each is judged once.
  const judged = new Map<string, boolean>();
  const personal = (key: string) => {
    let p = judged.get(key);
    if (p === undefined) {
      p = fields.has(normalizeKey(key)) || isPersonalKey(key);
      if (judged.size < 10_000) judged.set(key, p);
    }
    return p;
  };

  const fieldsInText = (text: string): string => {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(KEY_IN_TEXT)) {
      if (m.index < last || !personal(m[1]!)) continue;
      const start = m.index + m[0].length;
      const end = valueEnd(text, start);
      if (end === start) continue;
      out += text.slice(last, start) + maskValueText(text.slice(start, end));
      last = end;
    }
    return out + text.slice(last);
  };
  const text = (t: string) => maskPatterns(fieldsInText(t));
  // Cut before masking (bounded work), at a point no address or number spans; the marker is added after.
  const shown = (t: string) => clipForDisplay(t, maxShown, text);

  const deep = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return shown(value);
    if (value === null || typeof value !== 'object') return value;
    // Dates and other objects that serialise themselves are masked as what a reader gets.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return deep((value as { toJSON(): unknown }).toJSON(), depth, seen);
    if (depth > MAX_DEPTH || seen.has(value)) return '[…]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (personal(k)) out[k] = maskPersonalValue(v);
      else if (typeof v === 'string' && normalizeKey(k) === 'rawbody') out[k] = body(v);
      else out[k] = deep(v, depth + 1, seen);
    }
    return out;
  };

  const body = (raw: string): string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return shown(raw);
    }
    const masked = JSON.stringify(deep(parsed, 0, new WeakSet()));
    return masked.length > maxShown ? clipped(masked.slice(0, maxShown), maxShown, masked.length) : masked;
  };

  return { isPersonalKey: personal, text, body, value: <T>(v: T) => deep(v, 0, new WeakSet()) as T };
}
