import type http from 'node:http';
import { createProbeServer, metricsEndpoint, type HttpTimeouts } from '@bridge/http-server';
import type { Metrics } from '@bridge/metrics';
import type { RunningWorker } from './start-workers';

/** `/metrics` (Prometheus, behind METRICS_TOKEN when set) and `/healthz` (200 while every worker runs, else 503). */
export function createMetricsServer(
  metrics: Metrics,
  workers: () => readonly RunningWorker[],
  opts: { timeouts: HttpTimeouts; token?: string },
): http.Server {
  return createProbeServer(
    { timeouts: opts.timeouts, metrics },
    {
      '/metrics': metricsEndpoint({ registry: metrics.registry, token: opts.token }),
      '/healthz': (_req, res) => {
        const queues = workers().map((w) => ({ queue: w.queue, running: w.worker.isRunning() }));
        const ok = queues.length > 0 && queues.every((q) => q.running);
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'stopped', queues }));
      },
    },
  );
}
