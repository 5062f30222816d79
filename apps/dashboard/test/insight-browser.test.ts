import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './browser';
import { seedInsight } from './insight-seed';
import { startTestDashboard, VIEWER, type TestDashboard } from './build-app';

const ARTIFACTS = path.resolve(__dirname, '../../../artifacts');
const auth = `Basic ${Buffer.from(`${VIEWER.name}:${VIEWER.password}`).toString('base64')}`;

interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

let t: TestDashboard;
let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  t = await startTestDashboard();
  await seedInsight(t, new Date());
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.authenticate({ username: VIEWER.name, password: VIEWER.password });
  page.on('console', (m) =>
    m.type() === 'error' || /Content Security Policy/i.test(m.text()) ? problems.push(`console: ${m.text()}`) : undefined,
  );
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => (r.status() >= 400 ? problems.push(`HTTP ${r.status()}: ${r.url()}`) : undefined));
  // Page-side code as text: the tests compile without the DOM library.
  await page.evaluateOnNewDocument(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  );
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

const api = async (p: string) => {
  const res = await fetch(`${base}/${p}`, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
};

const chartOf = (id: string) => page.evaluate(`Chart.getChart(document.getElementById(${JSON.stringify(id)})).data`) as Promise<ChartData>;

/** Loads the page and the APIs; again when an interval boundary passed in between (the numbers would differ by design). */
async function loadPage(range: string): Promise<Record<string, Record<string, unknown>>> {
  for (;;) {
    const before = await api(`api/insight/deliveries?range=${range}`);
    await page.goto(`${base}/insight?range=${range}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    const names = ['deliveries', 'webhook-success', 'portal-success', 'latency', 'errors', 'funnel', 'error-codes'];
    const bodies = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await api(`api/insight/${n}?range=${range}`)] as const)),
    );
    if (bodies.deliveries!.since === before.since) return bodies;
  }
}

describe('insight page in a real browser', () => {
  it('when leads, failures and orders are recorded, then every chart shows the numbers its API returns, without console errors or CSP violations', async () => {
    const bodies = await loadPage('24h');
    for (const id of ['deliveries', 'webhook-success', 'portal-success', 'latency', 'errors']) {
      const body = bodies[id] as unknown as { buckets: string[]; series: { name: string; values: (number | null)[] }[] };
      const chart = await chartOf(`chart-${id}`);
      expect(chart.labels).toHaveLength(body.buckets.length);
      expect(chart.datasets.map((d) => ({ name: d.label, values: d.data }))).toEqual(body.series);
      expect(body.series.length).toBeGreaterThan(0);
    }
    const funnel = bodies.funnel as unknown as { stages: { count: number }[] };
    expect((await chartOf('chart-funnel')).datasets[0]!.data).toEqual(funnel.stages.map((s) => s.count));
    expect(funnel.stages.map((s) => s.count)).toEqual([3, 2, 1, 1]);
    const funnelRows = await page.$$eval('#funnel-table tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(funnelRows).toEqual(['leads3––', 'portal created266.7 %20s', 'order won/active150 %1h 0m', 'audit delivered1100 %2h 0m']);

    const codes = (bodies['error-codes'] as unknown as { codes: { code: string; attempts: number }[] }).codes;
    const codeRows = await page.$$eval('#error-codes tbody tr', (rows) =>
      rows.map((r) => [r.children[0]!.textContent, r.children[2]!.textContent]),
    );
    expect(codeRows).toEqual(codes.map((c) => [c.code, String(c.attempts)]));
    expect(codes.map((c) => c.code)).toEqual(['lead_missing_field', 'missionx_unavailable']);
    // Each code's "failed jobs" link lists that code's failed jobs (failure reasons lead with the code).
    const links = await page.$$eval('#error-codes tbody tr a:first-child', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    const listed = (await api(links[0]!)) as unknown as { jobs: { recordId: string; failedReason: string }[] };
    expect(listed.jobs.map((j) => j.recordId)).toEqual(['recC']);
    expect(listed.jobs[0]!.failedReason).toMatch(/^lead_missing_field: /);
    expect(((await api(links[1]!)) as unknown as { jobs: unknown[] }).jobs).toEqual([]);

    const queues = (await api('api/insight/queues')) as unknown as { queues: { queue: string; failed: number }[] };
    const queueChart = await chartOf('chart-queues');
    expect(queueChart.labels).toEqual(queues.queues.map((q) => q.queue));
    expect(queueChart.datasets.find((d) => d.label === 'failed')!.data).toEqual(queues.queues.map((q) => q.failed));
    expect(queues.queues.find((q) => q.queue === 'leads')!.failed).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${path.join(ARTIFACTS, 'insight-24h')}.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('when a viewer opens the page, then no personal data stored in the rows appears on it', async () => {
    await loadPage('1h');
    const html = await page.content();
    expect(html).not.toMatch(/@example\.com|Jane|Doe Payroll/);
    await page.screenshot({ path: `${path.join(ARTIFACTS, 'insight-1h')}.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
