import type { Datasheet, FieldKey, StoredRecord } from './datasheet';
import { badParam } from './envelope';
import { compileFormula } from './formula';

/** The parsed parameters of `GET /v1/datasheets/{id}/records`. */
export interface ListQuery {
  pageSize: number;
  pageNum: number;
  maxRecords?: number;
  recordIds?: string[];
  fields?: string[];
  sort: { field: string; order: 'asc' | 'desc' }[];
  cellFormat: 'json' | 'string';
  fieldKey: FieldKey;
  filterByFormula?: string;
}

type Query = Record<string, unknown>;

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParam(`${name} must be given once, as a plain value`);
  return v;
}

function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw badParam(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

/** `a,b` or a repeated parameter, or both. */
export function listParam(q: Query, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  // qs turns more than 20 repeats into an object keyed by index.
  const raw: unknown[] = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v];
  const parts = raw.map((p) => {
    if (typeof p !== 'string') throw badParam(`${name} must be a comma-separated list`);
    return p;
  });
  return parts
    .flatMap((p) => p.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function enumParam<T extends string>(q: Query, name: string, allowed: readonly T[], def: T): T {
  const raw = single(q, name);
  if (raw === undefined || raw === '') return def;
  if (!allowed.includes(raw as T)) throw badParam(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** `sort[0][field]=X&sort[0][order]=desc`, or JSON: `sort=[{"field":"X","order":"desc"}]` / `sort={"field":…}`. */
function sortParam(q: Query): ListQuery['sort'] {
  const raw = q.sort;
  if (raw === undefined) return [];
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  // qs gives an array for sort[0][field], an object for sort[field], a string for JSON.
  const list = Array.isArray(raw) ? raw : isObject ? ('field' in raw ? [raw] : Object.values(raw)) : [raw];
  const objects = list.flatMap((item: unknown) => {
    if (typeof item !== 'string') return [item];
    try {
      const parsed: unknown = JSON.parse(item);
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      throw badParam(`sort must be sort[n][field]/sort[n][order] or JSON, got "${item}"`);
    }
  });
  return objects.map((item, i) => {
    const { field, order = 'asc' } = (item ?? {}) as { field?: unknown; order?: unknown };
    const o = typeof order === 'string' ? order.toLowerCase() : order;
    if (typeof field !== 'string' || (o !== 'asc' && o !== 'desc')) throw badParam(`sort[${i}] needs a field name and order asc or desc`);
    return { field, order: o };
  });
}

export function parseListQuery(q: Query): ListQuery {
  return {
    pageSize: intParam(q, 'pageSize', 1, 1000) ?? 100,
    pageNum: intParam(q, 'pageNum', 1, Number.MAX_SAFE_INTEGER) ?? 1,
    maxRecords: intParam(q, 'maxRecords', 1, Number.MAX_SAFE_INTEGER),
    recordIds: listParam(q, 'recordIds'),
    fields: listParam(q, 'fields'),
    sort: sortParam(q),
    cellFormat: enumParam(q, 'cellFormat', ['json', 'string'] as const, 'json'),
    fieldKey: enumParam(q, 'fieldKey', ['name', 'id'] as const, 'name'),
    filterByFormula: single(q, 'filterByFormula') || undefined,
  };
}

/** Filters, sorts and cuts to `maxRecords`: every record the query matches, before paging. */
export function selectRecords(sheet: Datasheet, query: ListQuery): StoredRecord[] {
  let records = query.recordIds ? query.recordIds.map((id) => sheet.requireRecord(id)) : [...sheet.records.values()];
  if (query.filterByFormula) {
    const matches = compileFormula(query.filterByFormula, sheet);
    records = records.filter(matches);
  }
  const keys = query.sort.map((s) => ({ field: sheet.requireField(s.field, query.fieldKey, 'sort'), dir: s.order === 'desc' ? -1 : 1 }));
  if (keys.length > 0) {
    records = [...records].sort((a, b) => {
      for (const { field, dir } of keys) {
        const c = compareValues(a.values.get(field.id), b.values.get(field.id), (id) => sheet.title(id));
        if (c !== 0) return c * dir;
      }
      return 0;
    });
  }
  return query.maxRecords === undefined ? records : records.slice(0, query.maxRecords);
}

/** Empty values sort first, as in AITable's ascending order. */
function compareValues(a: unknown, b: unknown, title: (id: string) => string): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const text = (v: unknown) => (Array.isArray(v) ? v.map((id) => title(String(id))).join(', ') : String(v));
  return text(a).localeCompare(text(b));
}
