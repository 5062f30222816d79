import { AppError, permanent, transient } from '@bridge/errors';

// Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference) and
// PostgreSQL SQLSTATEs after which the same statement can succeed on a later try.
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|53|57P0)/;

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  return e.cause === undefined ? undefined : codeOf(e.cause);
}

/** Turns a database failure into an AppError that says whether a retry can help. */
export function classifyDbError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = codeOf(err);
  const message = err instanceof Error ? err.message.split('\n').at(-1) ?? err.message : String(err);
  const network = err instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|timeout|Connection terminated/i.test(err.message);
  const retriable = (code && (TRANSIENT_PRISMA.has(code) || TRANSIENT_SQLSTATE.test(code))) || network;
  // P2xxx are query errors (constraint violated, value too long): the same data fails again.
  if (!retriable && code?.startsWith('P2')) {
    return permanent('db_error', `Database error: ${message}`, { cause: err, details: { dbCode: code } });
  }
  return transient('db_unavailable', `Database unavailable: ${message}`, { cause: err, details: { dbCode: code } });
}
