import { AppError, describeTransportFailure, permanent, throttled, transient } from '@bridge/errors';
import { errorBodySchema } from './schemas';
import type { MissionxOperation } from './options';

/** Stable codes of every AppError this package throws. */
export const MISSIONX_ERROR_CODES = {
  unauthorized: 'missionx_unauthorized',
  forbidden: 'missionx_forbidden',
  badRequest: 'missionx_bad_request',
  notFound: 'missionx_not_found',
  conflict: 'missionx_conflict',
  rejected: 'missionx_rejected',
  throttled: 'missionx_throttled',
  unavailable: 'missionx_unavailable',
  badResponse: 'missionx_bad_response',
  invalidInput: 'missionx_invalid_input',
} as const;

/** What a failed call was doing, e.g. `createClient for customId rec123`. */
export interface MissionxCallContext {
  operation: MissionxOperation;
  subject?: string;
}

const what = (ctx: MissionxCallContext) => `${ctx.operation}${ctx.subject ? ` for ${ctx.subject}` : ''}`;

/** MissionX's own words from an error body, if any. */
export function messageOf(body: unknown): string {
  const b = errorBodySchema.parse(body);
  const m = Array.isArray(b.message) ? b.message.join('; ') : b.message;
  return [b.code === undefined ? undefined : String(b.code), b.error, b.error_description, m].filter(Boolean).join(': ');
}

/** Maps an HTTP error answer (after the one token refresh) to an AppError. */
export function errorFromStatus(ctx: MissionxCallContext, status: number, said: string, retryAfterMs?: number): AppError {
  const suffix = said ? `: ${said}` : '';
  const details = {
    operation: ctx.operation,
    httpStatus: status,
    ...(ctx.subject ? { subject: ctx.subject } : {}),
    ...(said ? { missionxMessage: said } : {}),
  };
  const tokenCall = ctx.operation === 'token';
  if (status === 401 || (tokenCall && status === 400)) {
    const hint = tokenCall
      ? 'check MISSIONX_CLIENT_ID, MISSIONX_CLIENT_SECRET and MISSIONX_ORG_ID'
      : 'a freshly issued token was refused too';
    return permanent(MISSIONX_ERROR_CODES.unauthorized, `MissionX refused ${what(ctx)} (${status})${suffix}; ${hint}`, { details });
  }
  if (status === 403)
    return permanent(MISSIONX_ERROR_CODES.forbidden, `MissionX refused ${what(ctx)} (403)${suffix}; check MISSIONX_ORG_ID`, { details });
  if (status === 400 || status === 422)
    return permanent(MISSIONX_ERROR_CODES.badRequest, `MissionX rejected ${what(ctx)} (${status})${suffix}`, { details });
  if (status === 404)
    return permanent(MISSIONX_ERROR_CODES.notFound, `MissionX found nothing for ${what(ctx)} (404)${suffix}`, { details });
  if (status === 409)
    return permanent(MISSIONX_ERROR_CODES.conflict, `MissionX reported a conflict for ${what(ctx)} (409)${suffix}`, { details });
  if (status === 429) {
    return throttled(
      MISSIONX_ERROR_CODES.throttled,
      `MissionX asked us to slow down during ${what(ctx)} (429)${suffix}`,
      retryAfterMs ?? 5000,
      { details },
    );
  }
  if (status >= 500 || status === 408)
    return transient(MISSIONX_ERROR_CODES.unavailable, `MissionX failed ${what(ctx)} (${status})${suffix}`, { details });
  if (status >= 400) return permanent(MISSIONX_ERROR_CODES.rejected, `MissionX rejected ${what(ctx)} (${status})${suffix}`, { details });
  return badResponse(ctx, `unexpected HTTP ${status}`);
}

/**
 * A 2xx answer we cannot read. Never "not found": reading an unreadable list as empty is how
 * duplicates are made. A body that is not JSON at all (a proxy page, a cut body) is transient;
 * JSON of another shape means the API is not what we were built for, which no retry fixes.
 */
export function badResponse(ctx: MissionxCallContext, problem: string, kind: 'transient' | 'permanent' = 'transient'): AppError {
  const make = kind === 'transient' ? transient : permanent;
  return make(MISSIONX_ERROR_CODES.badResponse, `MissionX answered ${what(ctx)} with an unexpected body: ${problem}`, {
    details: { operation: ctx.operation, ...(ctx.subject ? { subject: ctx.subject } : {}) },
  });
}

/** Timeouts and network errors; the axios error is not kept as cause (its config holds credentials). */
export function errorFromTransport(ctx: MissionxCallContext, err: unknown, timeoutMs: number): { error: AppError; status: string } {
  const { status, reason, code } = describeTransportFailure(err, timeoutMs);
  return {
    status,
    error: transient(MISSIONX_ERROR_CODES.unavailable, `MissionX call ${what(ctx)} failed: ${reason}`, {
      details: { operation: ctx.operation, transport: status, ...(code ? { errorCode: code } : {}) },
    }),
  };
}

/** `Retry-After` in seconds or as an HTTP date, in ms. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
