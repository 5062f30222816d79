/** Query of `GET /datasheets/{id}/records`. */
export interface ListRecordsQuery {
  /** AITable formula, e.g. `{Email} = "a@b.c"`; quote values with {@link formulaString}. */
  filterByFormula?: string;
  /** Records per page, 1–1000. @defaultValue 100 */
  pageSize?: number;
  /** From 1. @defaultValue 1 */
  pageNum?: number;
  /** Stop after this many records in total. */
  maxRecords?: number;
  /** Only these fields come back. */
  fields?: readonly string[];
  sort?: readonly { field: string; order: 'asc' | 'desc' }[];
  viewId?: string;
  recordIds?: readonly string[];
}

/**
 * Encodes the query as AITable's server (qs) reads it: `fields` repeated (a field name may
 * contain a comma), `recordIds` comma-separated, `sort[0][field]=X&sort[0][order]=asc`.
 */
export function encodeListQuery(q: ListRecordsQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.filterByFormula !== undefined) p.set('filterByFormula', q.filterByFormula);
  if (q.pageSize !== undefined) p.set('pageSize', String(q.pageSize));
  if (q.pageNum !== undefined) p.set('pageNum', String(q.pageNum));
  if (q.maxRecords !== undefined) p.set('maxRecords', String(q.maxRecords));
  if (q.viewId !== undefined) p.set('viewId', q.viewId);
  for (const f of q.fields ?? []) p.append('fields', f);
  if (q.recordIds?.length) p.set('recordIds', q.recordIds.join(','));
  q.sort?.forEach((s, i) => {
    p.append(`sort[${i}][field]`, s.field);
    p.append(`sort[${i}][order]`, s.order);
  });
  return p;
}

/** A string literal for an AITable formula: `formulaString('O"Brien')` → `"O\"Brien"`. */
export function formulaString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
