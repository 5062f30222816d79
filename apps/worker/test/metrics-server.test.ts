import { createMetrics } from '@bridge/metrics';
import { listen } from '@bridge/http-server';
import { stallRequest } from '@bridge/testkit';
import type http from 'node:http';
import { createMetricsServer } from '../src/metrics-server';

const TIMEOUTS = { requestMs: 300, headersMs: 300, keepAliveMs: 300 };

describe('worker metrics server', () => {
  let server: http.Server;
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('when a client announces 1000 bytes and sends 5, then it is answered 408 and closed within the timeout, and counted', async () => {
    const metrics = createMetrics('worker');
    server = createMetricsServer(metrics, () => [], { timeouts: TIMEOUTS });
    const port = await listen(server, 0, '127.0.0.1');
    // Answered 404 at once (no POST route), then cut off while the announced body never comes.
    expect(await stallRequest(port, { path: '/metrics', deadlineMs: 5000 })).toMatch(/\r\n\r\nHTTP\/1\.1 408 Request Timeout\r\n/);
    const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(scraped).toMatch(/bridge_http_timeouts_total\{phase="body",service="worker"\} 1/);
  });

  it('when a client never finishes its headers, then it is answered 408 and counted as the headers phase', async () => {
    const metrics = createMetrics('worker');
    server = createMetricsServer(metrics, () => [], { timeouts: TIMEOUTS });
    const port = await listen(server, 0, '127.0.0.1');
    expect(await stallRequest(port, { path: '/metrics', stallIn: 'headers', deadlineMs: 5000 })).toMatch(
      /^HTTP\/1\.1 408 Request Timeout\r\n/,
    );
    expect((await metrics.httpTimeouts.get()).values).toEqual([{ labels: { phase: 'headers' }, value: 1 }]);
  });

  it('when METRICS_TOKEN is set, then /metrics needs it and /healthz does not', async () => {
    server = createMetricsServer(createMetrics('worker'), () => [], { timeouts: TIMEOUTS, token: 'metrics-token-0123456789' });
    const base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
  });
});
