/**
 * Cell values arrive in two shapes: from the REST API (URL = `{text,title,favicon}`, select =
 * option name, link = recordId array) and from automation web requests (URL = string,
 * select = `{id,name,color}`, link = `[{recordId,title}]`). These readers accept both, so the
 * worker never cares where a record came from.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Any text-like cell as a trimmed string; `undefined` when empty. Numbers become strings;
 * arrays of text segments (`[{text}]`) are joined; a select object gives its name.
 */
export function textValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(textValue).filter((s): s is string => s !== undefined);
    return parts.length ? parts.join(', ') : undefined;
  }
  if (isObject(v)) {
    for (const k of ['text', 'name', 'title']) if (typeof v[k] === 'string') return textValue(v[k]);
  }
  return undefined;
}

/** A URL cell: `{text, title, favicon}` (API) or a plain string (automation). */
export function urlValue(v: unknown): string | undefined {
  if (Array.isArray(v)) return urlValue(v[0]);
  if (isObject(v)) return textValue(v.text) ?? textValue(v.link) ?? textValue(v.url);
  return typeof v === 'string' ? textValue(v) : undefined;
}

/** A single select: the option name (API) or `{id, name, color}` (automation). */
export function selectValue(v: unknown): string | undefined {
  if (Array.isArray(v)) return selectValue(v[0]);
  if (isObject(v)) return textValue(v.name);
  return typeof v === 'string' ? textValue(v) : undefined;
}

/** A link cell: `["rec1"]` (API), `[{recordId, title}]` (automation), or one recordId string. Empty → `[]`. */
export function linkIds(v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  const items = Array.isArray(v) ? v : [v];
  const ids: string[] = [];
  for (const item of items) {
    const id = typeof item === 'string' ? item.trim() : isObject(item) && typeof item.recordId === 'string' ? item.recordId.trim() : '';
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** A number cell; numeric strings (automation variables are text) are read too. */
export function numberValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = textValue(v);
  if (s === undefined) return undefined;
  const n = Number(s.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}
