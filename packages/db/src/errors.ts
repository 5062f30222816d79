import { AppError, permanent, transient } from '@bridge/errors';

// Prisma error codes (https://www.prisma.io/docs/orm/reference/error-reference) and
// PostgreSQL SQLSTATEs after which the same statement can succeed on a later try.
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
// 57014: a statement cancelled by statement_timeout (the dashboard's pool sets one); it may fit in a quieter moment.
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|53|57P0|57014)/;
// Kinds of @prisma/adapter-pg's DriverAdapterError that mean "the server was not there", and
// Node's socket error codes for a driver error that reaches us unconverted.
const TRANSIENT_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
]);
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

// A SQLSTATE is five digits or capitals; Prisma's own codes (P1xxx, P2xxx...) look alike but
// start with P and a non-zero digit (P0xxx is PL/pgSQL's own SQLSTATE class).
const isSqlState = (c: string) => /^[0-9A-Z]{5}$/.test(c) && !/^P[1-9]/.test(c);

/** The SQLSTATE Postgres answered with, wherever Prisma or the driver put it. */
export function sqlStateOf(err: unknown): string | undefined {
  return codesOf(err).find(isSqlState);
}

/**
 * SQLSTATE classes that blame the data of the rows in the statement, so the same rows fail
 * again and other rows would not: 22 data exception (bad value, NUL byte), 23 integrity
 * constraint, 54 program limit exceeded (an index entry over btree's 2704 bytes), and 21
 * cardinality violation (two rows of one batch on the same key, which the rows alone pass).
 * Not 42: a missing table, column or privilege fails every row alike, so it is the schema's
 * fault, not the row's.
 */
const ROW_CLASSES: Record<string, string> = {
  '21': 'cardinality violation',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '54': 'program limit exceeded',
};

/** The SQLSTATE when the failure blames the data of a row, else undefined. */
export function refusedRowState(err: unknown): string | undefined {
  const state = sqlStateOf(err);
  return state && ROW_CLASSES[state.slice(0, 2)] ? state : undefined;
}

/** True for the AppError of a row the database refused for its data: trying it again cannot help. */
export const isRowRefused = (err: unknown): boolean => err instanceof AppError && err.code === 'db_row_refused';

/**
 * Turns a database failure into an AppError that says whether a retry can help: a row the
 * database refuses for its data is permanent `db_row_refused` (details.sqlState), a connection-level
 * failure is transient `db_unavailable`, any other query failure is permanent `db_error`.
 */
export function classifyDbError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const codes = codesOf(err);
  const code = codes[0];
  const refused = refusedRowState(err);
  // The SQLSTATE only: the driver's message can quote the refused value, which came from outside.
  if (refused) {
    const what = `SQLSTATE ${refused}, ${ROW_CLASSES[refused.slice(0, 2)]}`;
    const details = { dbCode: code, sqlState: refused };
    return permanent('db_row_refused', `The database refused the row for its data (${what})`, { cause: err, details });
  }
  const message = err instanceof Error ? (err.message.split('\n').at(-1) ?? err.message) : String(err);
  // Decided by codes only, never by message text. An error with no code at all (pg's
  // "Connection terminated unexpectedly") is not P2xxx and so stays transient below.
  const retriable = codes.some(
    (c) => TRANSIENT_PRISMA.has(c) || TRANSIENT_KINDS.has(c) || TRANSIENT_SOCKET.has(c) || TRANSIENT_SQLSTATE.test(c),
  );
  // P2xxx are query errors (constraint violated, value too long): the same data fails again.
  if (!retriable && code?.startsWith('P2')) {
    return permanent('db_error', `Database error: ${message}`, { cause: err, details: { dbCode: code } });
  }
  return transient('db_unavailable', `Database unavailable: ${message}`, { cause: err, details: { dbCode: code } });
}
