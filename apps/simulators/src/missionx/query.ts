/** A list query MissionX refuses: answered 400 with the parameter named. */
export class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

type Doc = { _id: string; updatedAt: string; archived: boolean } & Record<string, unknown>;
type Query = Record<string, unknown>;

/** One documented filter: the query parameter and whether a document passes for its value. */
export type FilterSpec = Record<string, (doc: Doc, value: string) => boolean>;

const OPS: Record<string, (a: number, b: number) => boolean> = {
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  eq: (a, b) => a === b,
};

export const DEFAULT_LIMIT = 40;
export const MAX_LIMIT = 100;

/** `<op> <ISO date>`, e.g. `gte 2026-12-01T10:00:00.000Z`, as a predicate on a date field. */
export function dateCondition(param: string, raw: string): (iso: string) => boolean {
  const m = /^(lt|lte|gt|gte|eq)\s+(\S.*)$/.exec(raw.trim());
  const at = m ? Date.parse(m[2]!) : NaN;
  if (!m || Number.isNaN(at)) throw new QueryError(param, `${param} must be "<lt|lte|gt|gte|eq> <ISO date>", got "${raw}"`);
  const op = OPS[m[1]!]!;
  return (iso) => op(Date.parse(iso), at);
}

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new QueryError(name, `${name} must be given once, as a single value`);
  return v;
}

function bool(q: Query, name: string): boolean | undefined {
  const v = single(q, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new QueryError(name, `${name} must be true or false`);
}

function int(q: Query, name: string, min: number, max: number, fallback: number): number {
  const v = single(q, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new QueryError(name, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** `select=a,b` keeps those fields (and `_id`); `select=-a,-b` drops them; mixing is refused. */
function selector(raw: string | undefined): ((doc: Record<string, unknown>) => Record<string, unknown>) | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = raw
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const excluding = names.filter((n) => n.startsWith('-'));
  if (excluding.length > 0 && excluding.length < names.length)
    throw new QueryError('select', 'select cannot mix included and excluded fields');
  if (excluding.length > 0) {
    const drop = new Set(excluding.map((n) => n.slice(1)));
    return (doc) => Object.fromEntries(Object.entries(doc).filter(([k]) => !drop.has(k)));
  }
  const keep = new Set(['_id', ...names]);
  return (doc) => Object.fromEntries(Object.entries(doc).filter(([k]) => keep.has(k)));
}

export interface ListPage {
  value: Record<string, unknown>[];
  nextLink?: string;
  count?: number;
}

/**
 * A list answer as MissionX documents it: the documented filters, `archived`/`withArchived`,
 * `updatedAt=<op> <date>`, `sortBy=updatedAt` + `sortDirection`, `limit` (1–100, default 40),
 * `count=true`, `select`. Other parameters are ignored, as a server ignores what it does not know.
 * Paging: `nextLink` is this request's own URL with `skip` set to the next offset (our inference).
 */
export function listPage(
  docs: readonly Doc[],
  q: Query,
  filters: FilterSpec,
  selfUrl: URL,
  shape: (d: Doc) => Record<string, unknown>,
): ListPage {
  const archived = bool(q, 'archived');
  const withArchived = bool(q, 'withArchived');
  const tests: ((d: Doc) => boolean)[] = [];
  if (archived === true) tests.push((d) => d.archived);
  else if (withArchived !== true) tests.push((d) => !d.archived);
  for (const [name, test] of Object.entries(filters)) {
    const v = single(q, name);
    if (v !== undefined) tests.push((d) => test(d, v));
  }
  const updatedAt = single(q, 'updatedAt');
  if (updatedAt !== undefined) {
    const cond = dateCondition('updatedAt', updatedAt);
    tests.push((d) => cond(d.updatedAt));
  }
  const sortBy = single(q, 'sortBy');
  if (sortBy !== undefined && sortBy !== 'updatedAt') throw new QueryError('sortBy', 'sortBy must be updatedAt');
  const dirRaw = single(q, 'sortDirection') ?? 'desc';
  if (!['asc', '1', 'desc', '-1'].includes(dirRaw)) throw new QueryError('sortDirection', 'sortDirection must be asc, 1, desc or -1');
  const dir = dirRaw === 'asc' || dirRaw === '1' ? 1 : -1;
  const limit = int(q, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
  const skip = int(q, 'skip', 0, Number.MAX_SAFE_INTEGER, 0);
  const withCount = bool(q, 'count') === true;
  const select = selector(single(q, 'select'));

  let matched = docs.filter((d) => tests.every((t) => t(d)));
  // Without sortBy the natural (creation) order, as a MongoDB collection answers.
  if (sortBy) matched = [...matched].sort((a, b) => dir * (a.updatedAt.localeCompare(b.updatedAt) || a._id.localeCompare(b._id)));
  const page = matched.slice(skip, skip + limit);
  const out: ListPage = { value: page.map((d) => (select ? select(shape(d)) : shape(d))) };
  if (skip + limit < matched.length) {
    const next = new URL(selfUrl);
    next.searchParams.set('skip', String(skip + limit));
    out.nextLink = next.toString();
  }
  if (withCount) out.count = matched.length;
  return out;
}
