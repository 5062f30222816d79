interface JsonResponse {
  json(body: unknown): unknown;
  setHeader(name: string, value: string): unknown;
}

/**
 * Marks every JSON answer `Cache-Control: no-store`: they carry job data, delivery bodies and
 * status that no browser or proxy cache should keep. Files (scripts, styles) keep their own caching.
 */
export function noStoreJson(_req: unknown, res: JsonResponse, next: () => void): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    res.setHeader('Cache-Control', 'no-store');
    return json(body);
  };
  next();
}
