/**
 * Text as Postgres can hold it: a NUL character (which text refuses, SQLSTATE 22021) becomes
 * U+FFFD, the way a decoder shows a broken byte; `max` clips text whose length is ours to bound.
 */
export function pgText(s: string, max?: number): string {
  const clean = s.replace(/\u0000/g, '\uFFFD');
  return max === undefined ? clean : clean.slice(0, max);
}
