/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * What every server-rendered page looks like. A table wider than the window scrolls inside its own
 * box, and a cell breaks a long id only where a line must (anywhere would let a narrow window
 * squeeze a column to one character a line), so a phone-sized window never scrolls the whole page.
 */
export function pageStyle(own: string): string {
  return `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}.muted{color:#656d76}
td{overflow-wrap:break-word}input[type=text],textarea,select{max-width:100%;box-sizing:border-box}${own}`;
}

/** A table; every header and cell is escaped. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], empty = 'none'): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** "3d 4h", "12m 5s": an age an operator reads at a glance. */
export function formatAge(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts
    .slice(first, first + 2)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

/** "1.5 MiB": a size an operator reads at a glance. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
