import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { closeDeps, warmUp, type IngestDeps } from './deps';
import { withTimeLimit } from '@bridge/errors';

export interface RunningIngest {
  server: http.Server;
  port: number;
  url: string;
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
  const server = http.createServer();
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      closing = true;
      deps.logger.info('ingest shutting down', { reason });
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

  return { server, port, url: `http://127.0.0.1:${port}`, shutdown };
}
