import type http from 'node:http';
import { createHttpServer, createProbeServer, httpTimeoutsFromConfig, listen } from '@bridge/http-server';
import { createApp } from './app';
import { closeDeps, warmUp, type IngestDeps } from './deps';
import { withTimeLimit } from '@bridge/errors';
import { ingestMetrics } from './routes/health';

export interface RunningIngest {
  server: http.Server;
  port: number;
  url: string;
  /** Port of the separate /metrics server, when INGEST_METRICS_PORT is set. */
  metricsPort?: number;
  /**
   * Stops accepting connections, lets requests in flight finish (up to SHUTDOWN_TIMEOUT_MS),
   * then flushes the delivery writer and closes queues, Redis and Postgres. Idempotent: what
   * SIGTERM and SIGINT call in main.
   */
  shutdown(reason: string): Promise<void>;
}

export async function startIngest(deps: IngestDeps, opts: { port: number; host?: string }): Promise<RunningIngest> {
  const warm = await warmUp(deps);
  if (!warm.redis || !warm.postgres) deps.logger.warn('starting while a dependency does not answer', warm);
  const limits = { timeouts: httpTimeoutsFromConfig(deps.config), metrics: deps.metrics };
  const server = createHttpServer(limits);
  let closing = false;
  // Registered before the app, so it sees every request first.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      // A keep-alive connection whose last request just finished is idle now: let it go.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('request', createApp(deps));
  const port = await listen(server, opts.port, opts.host);
  const ownPort = deps.config.INGEST_METRICS_PORT;
  const metricsServer = ownPort === undefined ? undefined : createProbeServer(limits, { '/metrics': ingestMetrics(deps) });
  const metricsPort =
    metricsServer &&
    (await listen(metricsServer, ownPort!, opts.host).catch((err: unknown) => {
      server.close();
      throw err;
    }));

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      closing = true;
      deps.logger.info('ingest shutting down', { reason });
      metricsServer?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const late = await withTimeLimit(
        closed.then(() => false),
        deps.config.SHUTDOWN_TIMEOUT_MS,
        () => true,
      );
      if (late) {
        deps.logger.warn('requests still in flight at the shutdown timeout; closing their connections');
        server.closeAllConnections();
        await closed;
      }
      await closeDeps(deps);
      deps.logger.info('ingest stopped');
    })();
    return stopping;
  };

  return { server, port, url: `http://127.0.0.1:${port}`, metricsPort, shutdown };
}
