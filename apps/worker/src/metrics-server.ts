import http from 'node:http';
import type { Metrics } from '@bridge/metrics';
import type { RunningWorker } from './start-workers';

/** `/metrics` (Prometheus) and `/healthz` (200 while every worker runs, else 503). */
export function createMetricsServer(metrics: Metrics, workers: () => readonly RunningWorker[]): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const queues = workers().map((w) => ({ queue: w.queue, running: w.worker.isRunning() }));
      const ok = queues.length > 0 && queues.every((q) => q.running);
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'stopped', queues }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
  });
}
