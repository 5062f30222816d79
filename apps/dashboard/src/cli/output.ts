/** Writes one JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A plain-text table, columns padded, long cells cut. */
export function printTable(headers: readonly string[], rows: readonly (readonly unknown[])[], maxCell = 60): void {
  const cells = rows.map((r) => r.map((c) => cut(String(c ?? ''), maxCell).replace(/\s+/g, ' ')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  println(line(headers));
  for (const r of cells) println(line(r));
}
