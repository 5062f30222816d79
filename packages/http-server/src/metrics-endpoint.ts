import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { HttpServerOptions } from './server';
import { createHttpServer } from './server';

export type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface MetricsEndpointOptions {
  /** A prom-client registry. */
  registry: { contentType: string; metrics(): Promise<string> };
  /** METRICS_TOKEN: when set, only `Authorization: Bearer <token>` is answered. */
  token?: string;
  /** Runs before each scrape, for gauges read at scrape time. */
  beforeScrape?: () => Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function refusal(header: string | undefined, token: string): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return '/metrics needs the header Authorization: Bearer <METRICS_TOKEN>.';
  // Digests first: equal lengths for timingSafeEqual, so the token's length does not leak either.
  return timingSafeEqual(digest(m[1]!), digest(token)) ? undefined : 'The bearer token does not match METRICS_TOKEN.';
}

/** `GET /metrics` for Prometheus, as a plain Node handler (Express mounts it as is). */
export function metricsEndpoint(opts: MetricsEndpointOptions): RawHandler {
  return (req, res) => {
    const refused = opts.token === undefined ? undefined : refusal(req.headers.authorization, opts.token);
    if (refused) {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer realm="metrics"' });
      res.end(JSON.stringify({ error: 'unauthorized', message: refused }));
      return;
    }
    (opts.beforeScrape ?? (async () => undefined))()
      .then(() => opts.registry.metrics())
      .then(
        (body) => res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
  };
}

/**
 * A server of a few GET routes (`/metrics`, `/healthz`) on a port of its own, with the same
 * slow-client limits as every other server; anything else is 404.
 */
export function createProbeServer(opts: HttpServerOptions, routes: Record<string, RawHandler>): http.Server {
  return createHttpServer(opts, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && Object.hasOwn(routes, path)) return routes[path]!(req, res);
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
  });
}
