import { AppError, permanent, transient } from '@bridge/errors';

// Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference) and
// PostgreSQL SQLSTATEs after which the same statement can succeed on a later try.
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|53|57P0)/;
// Kinds of @prisma/adapter-pg's DriverAdapterError that mean "the server was not there", and
// Node's socket error codes for a driver error that reaches us unconverted.
const TRANSIENT_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionWriteConflict']);
const TRANSIENT_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

interface ErrorShape {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/**
 * Every code along the error chain. Prisma wraps driver errors (its own code outside, the
 * SQLSTATE in `meta.driverAdapterError.cause.originalCode`), so the outer code alone can call a
 * dropped connection permanent.
 */
function codesOf(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 5) return [];
  const e = err as ErrorShape;
  const own = [e.code, e.originalCode, e.kind].filter((c): c is string => typeof c === 'string');
  return [...own, ...codesOf(e.meta?.driverAdapterError, depth + 1), ...codesOf(e.cause, depth + 1)];
}

/** Turns a database failure into an AppError that says whether a retry can help. */
export function classifyDbError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const codes = codesOf(err);
  const code = codes[0];
  const message = err instanceof Error ? err.message.split('\n').at(-1) ?? err.message : String(err);
  // Decided by codes only, never by message text. An error with no code at all (pg's
  // "Connection terminated unexpectedly") is not P2xxx and so stays transient below.
  const retriable = codes.some((c) => TRANSIENT_PRISMA.has(c) || TRANSIENT_KINDS.has(c) || TRANSIENT_SOCKET.has(c) || TRANSIENT_SQLSTATE.test(c));
  // P2xxx are query errors (constraint violated, value too long): the same data fails again.
  if (!retriable && code?.startsWith('P2')) {
    return permanent('db_error', `Database error: ${message}`, { cause: err, details: { dbCode: code } });
  }
  return transient('db_unavailable', `Database unavailable: ${message}`, { cause: err, details: { dbCode: code } });
}
