import { z } from 'zod';

/**
 * The size limits of everything that enters the system, stated once: ingest's body checks and
 * the job payload schemas both use them, so a job that somehow bypasses ingest is refused by the
 * worker's parse for the same reason ingest would have refused it.
 */
export const LIMITS = {
  /** AITable ids are 10–20 characters (`dst…`, `rec…`, `fld…`); generous, so a longer id format of theirs still passes. */
  idLength: 64,
  /** Levels of JSON arrays and objects in a body; the documented body has 4 (body, record, fields, a value). */
  jsonDepth: 64,
  /** Field values in one event; an AITable datasheet has at most a few hundred fields. */
  fields: 500,
  /** A field name, as AITable shows it in a column header. */
  fieldNameLength: 200,
  /** Free text kept on a record, such as a file name. */
  textLength: 500,
  /** A URL written to AITable. */
  urlLength: 2048,
  /** A caller's X-Request-Id (searched for across services, so kept as given when sane). */
  requestIdLength: 128,
} as const;

/** C0 control characters and DEL: never in an id or a name (Postgres text cannot even hold NUL). */
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

/**
 * An AITable id of the given kind. The length is checked first and aborts, so the pattern
 * never runs over a huge string and the answer names the real problem.
 */
export const aitableId = (prefix: 'dst' | 'rec' | 'fld', what: string) =>
  z
    .string()
    .max(LIMITS.idLength, { error: `must be an AITable ${what} id of at most ${LIMITS.idLength} characters`, abort: true })
    .regex(new RegExp(`^${prefix}[A-Za-z0-9]+$`), `must be an AITable ${what} id (${prefix}…)`);

/** An id chosen by another system (an audit id): any printable text up to the id length. */
export const externalId = () =>
  z.string().min(1).max(LIMITS.idLength, { abort: true }).regex(NO_CONTROL, 'must not contain control characters');

/** Free text of at most `max` characters, without control characters. */
export const boundedText = (max: number = LIMITS.textLength) =>
  z.string().min(1).max(max, { abort: true }).regex(NO_CONTROL, 'must not contain control characters');

/**
 * A link written to AITable for people to open: `https:`, and `http:` only when allowed
 * (AUDIT_FILE_URL_ALLOW_HTTP). `javascript:`, `data:` and `file:` links are refused.
 */
export const fileUrl = (opts: { allowHttp: boolean }) =>
  z
    .url({ protocol: opts.allowHttp ? /^https?$/ : /^https$/, error: `must be an ${opts.allowHttp ? 'http: or https:' : 'https:'} URL` })
    .max(LIMITS.urlLength);

/** Field values of one record by field name, as an automation sends them. */
export const fieldValuesSchema = z
  .record(z.string().max(LIMITS.fieldNameLength, `a field name must be at most ${LIMITS.fieldNameLength} characters`), z.unknown())
  .refine((fields) => Object.keys(fields).length <= LIMITS.fields, `must hold at most ${LIMITS.fields} fields`);
