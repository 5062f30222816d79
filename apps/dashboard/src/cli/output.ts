import type { MaskPolicy } from '@bridge/privacy';

/**
 * Where the CLI writes what people read. Everything is masked with the dashboard's policy
 * unless `--show-personal-data` was given: the CLI has no login, so it treats whoever runs
 * it as a viewer by default, and output pasted into a ticket or a chat stays clean.
 */
export interface Output {
  /** Whether what is shown is masked (false with `--show-personal-data`). */
  masked: boolean;
  /** One JSON document on stdout. */
  json(value: unknown): void;
  line(text?: string): void;
  /** A plain-text table, columns padded, long cells cut. */
  table(headers: readonly string[], rows: readonly (readonly unknown[])[], maxCell?: number): void;
  /** A value as it will be shown (masked or not), for callers that format it themselves. */
  shown<T>(value: T): T;
  /** Text as it will be shown, for lines written elsewhere (progress on stderr). */
  text(text: string): string;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function createOutput(policy: MaskPolicy, showPersonalData: boolean, stdout: NodeJS.WritableStream = process.stdout): Output {
  const text = (t: string) => (showPersonalData ? t : policy.text(t));
  const shown = <T>(v: T): T => (showPersonalData ? v : policy.value(v));
  const line = (t = '') => void stdout.write(`${text(t)}\n`);
  return {
    masked: !showPersonalData,
    json: (value) => void stdout.write(`${JSON.stringify(shown(value), null, 2)}\n`),
    line,
    table(headers, rows, maxCell = 60) {
      const cells = rows.map((r) => r.map((c) => cut(text(String(c ?? '')), maxCell).replace(/\s+/g, ' ')));
      const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
      const row = (r: readonly string[]) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      line(row(headers));
      for (const r of cells) line(row(r));
    },
    shown,
    text,
  };
}
