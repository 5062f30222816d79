/** Request headers as Node gives them (lowercase names), or any similar bag. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a header, looked up case-insensitively; undefined when absent or empty. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let raw = headers[wanted];
  if (raw === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
    raw = key === undefined ? undefined : headers[key];
  }
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}
