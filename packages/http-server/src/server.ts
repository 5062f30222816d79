import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '@bridge/config';
import type { Metrics } from '@bridge/metrics';

/** How long a client may take to send its request, and to keep an idle connection. */
export interface HttpTimeouts {
  /** The whole request, headers and body. */
  requestMs: number;
  /** The headers alone; capped at `requestMs`. */
  headersMs: number;
  /** An idle keep-alive connection. */
  keepAliveMs: number;
}

export function httpTimeoutsFromConfig(c: Config<'http'>): HttpTimeouts {
  return { requestMs: c.HTTP_REQUEST_TIMEOUT_MS, headersMs: c.HTTP_HEADERS_TIMEOUT_MS, keepAliveMs: c.HTTP_KEEPALIVE_TIMEOUT_MS };
}

export interface HttpServerOptions {
  timeouts: HttpTimeouts;
  /** Where requests cut off for slowness are counted (`bridge_http_timeouts_total`). */
  metrics: Pick<Metrics, 'httpTimeouts'>;
}

const RAW_ANSWERS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
};
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

/**
 * An HTTP server that cuts off slow clients: a request whose headers or body do not arrive in
 * time is answered 408 (when no answer has begun) and its connection closed, and counted.
 * Every server we run is built here; apps only pass their handler.
 */
export function createHttpServer(opts: HttpServerOptions, handler?: http.RequestListener): http.Server {
  const { requestMs, keepAliveMs } = opts.timeouts;
  const headersMs = Math.min(opts.timeouts.headersMs, requestMs);
  const server = http.createServer(
    {
      requestTimeout: requestMs,
      headersTimeout: headersMs,
      keepAliveTimeout: keepAliveMs,
      // Node looks for expired requests only this often (30 s by default), which is what let a
      // stalled body hold its connection for 40 s whatever requestTimeout said.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.round(headersMs / 4))),
    },
    handler,
  );
  // The last request seen on each connection, to tell a stalled body from stalled headers.
  const lastRequest = new WeakMap<Duplex, { req: http.IncomingMessage; res: http.ServerResponse }>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => lastRequest.set(req.socket, { req, res }));
  // Replaces Node's default handler (which answers the same raw 400/408/431), to count timeouts.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const last = lastRequest.get(socket);
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') opts.metrics.httpTimeouts.inc({ phase: last && !last.req.complete ? 'body' : 'headers' });
    const answering = last && !last.res.writableFinished ? last.res : undefined;
    // Raw bytes only when no answer has started on this connection, or they would corrupt it.
    if (err.code !== 'ECONNRESET' && socket.writable && !answering?.headersSent) socket.write(RAW_ANSWERS[err.code ?? ''] ?? BAD_REQUEST);
    socket.destroy();
  });
  return server;
}

/** Listens and resolves with the port (useful with port 0); rejects when the port is taken. */
export function listen(server: http.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
