import { permanent } from '@bridge/errors';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads a point in time given by an operator: a duration back from now (`90s`, `15m`, `2h`,
 * `3d`, `1w`), an ISO 8601 date (`2025-06-01T10:00:00Z`, `2025-06-01`) or epoch milliseconds.
 * Throws a permanent `invalid_argument` AppError (HTTP 400) naming `field` otherwise.
 */
export function parsePointInTime(value: string, field: string, now: Date = new Date()): Date {
  const v = value.trim();
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNIT_MS[rel[2]!.toLowerCase()] ?? 0));
  if (/^\d{12,}$/.test(v)) return new Date(Number(v));
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw permanent(
    'invalid_argument',
    `${field} must be a duration back from now (e.g. 2h, 30m, 7d), an ISO date or epoch ms; got "${value}"`,
    {
      httpStatus: 400,
      details: { field },
    },
  );
}

/** Throws when both bounds are given and the window is empty. */
export function checkWindow(since: Date | undefined, until: Date | undefined): void {
  if (since && until && since.getTime() > until.getTime()) {
    throw permanent('invalid_argument', `since (${since.toISOString()}) is after until (${until.toISOString()})`, {
      httpStatus: 400,
      details: { field: 'since' },
    });
  }
}
