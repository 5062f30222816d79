import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { deflateSync, gzipSync } from 'node:zlib';

/**
 * Generators for the fuzz tests of the front door. Each case carries its input class and the
 * answer that class must get, worked out here from how the input was built (never by asking
 * our own parsing code): 413 too large > 415 unknown encoding > 400 unreadable encoding >
 * 401 bad credentials > 415 media type > 400 invalid JSON > 422 invalid payload > 202.
 */
export type Expected = 202 | 400 | 401 | 413 | 415 | 422;

/** The body's own class, before it is wrapped in headers and an encoding. */
export interface Content {
  kind: string;
  bytes: Buffer;
  expected: 202 | 400 | 422;
  /** Text the answer's message must contain (the field it names). */
  names?: string;
}

export interface Wire {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
  expected: Expected;
  names?: string;
}

/** Seeded and bounded: `FUZZ_SEED=<n>` replays a run; fast-check prints the seed and path of a failure. */
export const fuzzParams = (numRuns: number): fc.Parameters<unknown> => ({
  seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261130,
  numRuns,
  endOnFailure: true,
});

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const alnum = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength, maxLength });
export const recordId = alnum(1, 20).map((s) => `rec${s}`);
export const tooLongId = (prefix: string) => alnum(62, 3000).map((s) => `${prefix}${s}`);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any text: every code point (NUL and controls included), printable graphemes, lone surrogates. */
export const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: loneSurrogate, maxLength: 3 }),
  );

export const fieldValue = fc.oneof(
  text(40),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.record({ recordId, title: text(10) }), { maxLength: 3 }),
  fc.record({ id: alnum(1, 10), name: text(10), color: fc.integer({ min: 0, max: 50 }) }),
);
export const fields = fc.dictionary(
  text(30).filter((k) => k.length > 0),
  fieldValue,
  { maxKeys: 8 },
);

/**
 * Valid bodies with one value nested 1–200 arrays deep: `place` puts the string `"__DEEP__"` where
 * it goes, `outer` levels down. Within the limit of 64 levels in all it is valid, beyond it a 422.
 */
function deepContent<T>(body: fc.Arbitrary<T>, place: (b: T, value: string) => unknown, outer: number): fc.Arbitrary<Content> {
  return fc.tuple(body, fc.integer({ min: 1, max: 200 })).map(([b, levels]): Content => {
    const bytes = Buffer.from(JSON.stringify(place(b, '__DEEP__')).replace('"__DEEP__"', `${'['.repeat(levels)}0${']'.repeat(levels)}`));
    return outer + levels <= 64
      ? { kind: 'deep within limit', bytes, expected: 202 }
      : { kind: 'too deep', bytes, expected: 422, names: 'limit of 64 levels' };
  });
}

/** Ways to break a valid JSON text: each result is checked to be invalid (JSON.parse or UTF-8), else dropped. */
function invalidJson(valid: fc.Arbitrary<string>): fc.Arbitrary<Content> {
  const broken = fc.oneof(
    fc.tuple(valid, fc.nat()).map(([t, n]) => Buffer.from(t.slice(0, n % t.length))),
    fc.tuple(valid, fc.nat(), fc.constantFrom('"', '\n', '\u0000', '\t', '{', ',', '\\')).map(([t, n, c]) => {
      const at = t.indexOf('":"') >= 0 ? t.indexOf('":"') + 3 + (n % 3) : n % t.length;
      return Buffer.from(t.slice(0, at) + c + t.slice(at));
    }),
    fc
      .tuple(valid, fc.nat(), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]))
      .map(([t, n, bad]) => {
        const b = Buffer.from(t);
        const at = n % (b.length + 1);
        return Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at)]);
      }),
    fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
    fc.constantFrom('', '   ', '\uFEFF', 'undefined', "{'a':1}", '{"a":1,}', '[1,]', 'NaN', '{"a":01}').map((s) => Buffer.from(s)),
  );
  return broken.filter((bytes) => !parsesAsJson(bytes)).map((bytes) => ({ kind: 'invalid json', bytes, expected: 400 as const }));
}

function parsesAsJson(bytes: Buffer): boolean {
  if (!isUtf8(bytes)) return false;
  const t = bytes.toString('utf8').replace(/^\uFEFF/, '');
  try {
    JSON.parse(t);
    return t.trim() !== '';
  } catch {
    return false;
  }
}

const randomJson = fc
  .jsonValue({ maxDepth: 5 })
  .map((v): Content => ({ kind: 'random json', bytes: Buffer.from(JSON.stringify(v) ?? 'null'), expected: 422 }));

/** A valid body with one key set to a value that breaks the shape; the answer must name `names(key, value)`. */
export function mutated<T extends object>(
  body: fc.Arbitrary<T>,
  changes: fc.Arbitrary<readonly [string, unknown]>[],
  names = (key: string, _value: unknown) => key,
) {
  return fc.tuple(body, fc.oneof(...changes)).map(([b, [key, value]]): Content => ({
    kind: `bad ${key}`,
    bytes: Buffer.from(JSON.stringify({ ...b, [key]: value })),
    expected: 422,
    names: names(key, value),
  }));
}

/**
 * Every class of body of one endpoint, from its valid bodies: valid, nested deep, `mutated` (one
 * field broken), random JSON, broken JSON, and too large. `place(body, value)` puts a value in a
 * spot the schema accepts anything, `outer` levels down.
 */
export function bodies<T>(
  valid: fc.Arbitrary<T>,
  o: { mutated: fc.Arbitrary<Content>; place: (b: T, value: string) => unknown; outer: number; limit: number },
) {
  const big = fc
    .tuple(valid, fc.integer({ min: o.limit + 1, max: o.limit * 3 }), fc.constantFrom('x', 'é', '€'))
    .map(([b, n, c]): Content => ({ kind: 'too large', bytes: Buffer.from(JSON.stringify(o.place(b, c.repeat(n)))), expected: 202 }));
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((b): Content => ({ kind: 'valid', bytes: Buffer.from(JSON.stringify(b)), expected: 202 })) },
    { weight: 2, arbitrary: deepContent(valid, o.place, o.outer) },
    { weight: 3, arbitrary: o.mutated },
    { weight: 1, arbitrary: randomJson },
    { weight: 2, arbitrary: invalidJson(valid.map((b) => JSON.stringify(b))) },
    { weight: 1, arbitrary: big },
  );
}

/** The Content-Type header: the JSON forms ingest accepts, or one it must refuse with a 415. */
const goodMedia = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON; Charset="UTF-8"',
  'application/vnd.api+json',
  'application/json;charset=utf8',
);
const badMedia = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'json',
  '*/*',
);
export const media = fc.oneof(
  { weight: 6, arbitrary: goodMedia.map((v) => ({ value: v, ok: true })) },
  { weight: 1, arbitrary: badMedia.map((v) => ({ value: v, ok: false })) },
);

/** How the body travels: as is, compressed, compressed in an encoding we cannot read, or claimed compressed and not. */
export const encoding = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ name: undefined as string | undefined, kind: 'identity' as const }) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'identity', 'GZIP').map((name) => ({ name, kind: 'known' as const })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('compress', 'x-custom', 'gzip, gzip', 'bogus').map((name) => ({ name, kind: 'unknown' as const })),
  },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate').map((name) => ({ name, kind: 'corrupt' as const })) },
);
export type Encoding = typeof encoding extends fc.Arbitrary<infer E> ? E : never;

export function encode(bytes: Buffer, enc: Encoding): Buffer {
  if (enc.kind !== 'known' || enc.name === 'identity') return bytes;
  return enc.name?.toLowerCase() === 'deflate' ? deflateSync(bytes) : gzipSync(bytes);
}

/** Puts a content in its envelope and works out the answer its class must get. */
export function wire(
  c: Content,
  m: { value: string; ok: boolean },
  enc: Encoding,
  auth: { headers: Record<string, string>; ok: boolean },
  limit: number,
): Wire {
  const headers: Record<string, string> = { ...auth.headers, 'Content-Type': m.value };
  if (enc.name !== undefined) headers['Content-Encoding'] = enc.name;
  const tooLarge = c.bytes.length > limit;
  // A body claimed compressed and not cannot be read; a large one is refused by size first, which makes the class unclear.
  // (so does an empty one, which some decompressors take as empty output).
  const e = (tooLarge || c.bytes.length === 0) && enc.kind === 'corrupt' ? { name: undefined, kind: 'identity' as const } : enc;
  if (e.name === undefined) delete headers['Content-Encoding'];
  const base = {
    kind: `${c.kind} / ${e.kind} / ${m.ok ? 'json' : m.value} / ${auth.ok ? 'signed' : 'unsigned'}`,
    body: encode(c.bytes, e),
    headers,
  };
  if (e.kind === 'unknown') return { ...base, expected: 415 };
  if (tooLarge) return { ...base, expected: 413 };
  if (e.kind === 'corrupt') return { ...base, expected: 400 };
  if (!auth.ok) return { ...base, expected: 401 };
  if (!m.ok) return { ...base, expected: 415 };
  return { ...base, expected: c.expected, ...(c.names ? { names: c.names } : {}) };
}

/** The error codes each status may carry: every 4xx must say which problem it is. */
export const CODES: Record<Exclude<Expected, 202>, string[]> = {
  400: ['invalid_json', 'bad_request'],
  401: ['unauthorized'],
  413: ['body_too_large'],
  415: ['unsupported_media_type'],
  422: ['invalid_payload', 'unknown_datasheet'],
};
