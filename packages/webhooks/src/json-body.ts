import { LIMITS } from '@bridge/queues/contracts';
import { isUtf8 } from 'node:buffer';
import { findTooDeep, pathAt } from './json-depth';
import { locateJsonError, where } from './json-syntax';

/** A rejection the sender can act on: HTTP status, stable reason code, human message. */
export interface BodyRejection {
  ok: false;
  status: 400 | 415 | 422;
  /** Stable machine-readable reason, as stored on the delivery row. */
  reason: 'unsupported_media_type' | 'invalid_json' | 'invalid_payload' | 'unknown_datasheet';
  message: string;
  details?: Record<string, unknown>;
  /** The ids the body named, when it was read far enough to tell (an unknown datasheet), for the delivery row. */
  ids?: { datasheetId: string; recordId: string; eventType?: string };
}

export type JsonBodyResult = { ok: true; value: unknown } | BodyRejection;

const JSON_MEDIA = /^application\/(?:json|[a-z0-9.!#$&^_-]+\+json)$/;

/** Checks the content type (JSON, UTF-8) and parses the raw body, naming where invalid JSON breaks. */
export function parseJsonBody(rawBody: Buffer, contentType: string | undefined): JsonBodyResult {
  const [media = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (!JSON_MEDIA.test(media)) {
    return {
      ok: false,
      status: 415,
      reason: 'unsupported_media_type',
      message: `Content-Type must be application/json (got ${media ? media.slice(0, 100) : 'none'})`,
    };
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return {
      ok: false,
      status: 415,
      reason: 'unsupported_media_type',
      message: `Only UTF-8 JSON is accepted (got charset ${charset.slice(0, 40)})`,
    };
  }
  // Decoding would silently turn bad bytes into U+FFFD and change field values: refuse them.
  if (!isUtf8(rawBody))
    return { ok: false, status: 400, reason: 'invalid_json', message: 'Body is not valid UTF-8: JSON must be sent as UTF-8' };
  // A UTF-8 byte order mark is legal in a file but not in JSON.parse: tolerate it.
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, status: 400, reason: 'invalid_json', message: 'Empty body: expected a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const at = locateJsonError(text);
    if (!at) return { ok: false, status: 400, reason: 'invalid_json', message: 'Invalid JSON' };
    return {
      ok: false,
      status: 400,
      reason: 'invalid_json',
      message:
        `Invalid JSON at line ${at.line}, column ${at.column} (character ${at.position}): ${at.problem}. ` +
        'AITable pastes field values into the body unescaped, so a quote or line break in a field breaks the JSON.',
      details: { line: at.line, column: at.column, position: at.position, problem: at.problem },
    };
  }
  const deep = findTooDeep(text, LIMITS.jsonDepth);
  return deep < 0 ? { ok: true, value } : tooDeep(text, deep);
}

/** A 422 naming the depth limit and where the body goes past it. */
function tooDeep(text: string, offset: number): BodyRejection {
  const segments = pathAt(text, offset);
  const path = segments.length > 6 ? `${segments.slice(0, 6).join('.')}…` : segments.join('.') || '(root)';
  const at = where(text, offset, 'too deep');
  const problem = `nested deeper than the limit of ${LIMITS.jsonDepth} levels of arrays and objects`;
  return {
    ok: false,
    status: 422,
    reason: 'invalid_payload',
    message: `Invalid body: ${path}: ${problem} (line ${at.line}, column ${at.column})`,
    details: {
      issues: [{ path, message: problem }],
      depthLimit: LIMITS.jsonDepth,
      line: at.line,
      column: at.column,
      position: at.position,
    },
  };
}
