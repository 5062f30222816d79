import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { INSIGHT_PAGE_ANSWER, INSIGHT_PAGE_APIS, INSIGHT_SERIES_CHARTS } from '../src';
import { launchChromium } from './browser';
import { seedInsight } from './insight-seed';
import { startTestDashboard, VIEWER, type TestDashboard } from './build-app';

const ARTIFACTS = path.resolve(__dirname, '../../../artifacts');
const auth = `Basic ${Buffer.from(`${VIEWER.name}:${VIEWER.password}`).toString('base64')}`;

interface ChartData {
  labels: string[];
  datasets: { label: string; unit: string; data: (number | null)[]; spanGaps: boolean; yAxisID: string }[];
}
interface SeriesBody {
  buckets: string[];
  series: { name: string; unit: string; values: (number | null)[] }[];
}

let t: TestDashboard;
let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];
/** Every request the browser made that was not to the dashboard's origin. */
const elsewhere: string[] = [];
/** The paths of the insight APIs the browser asked for. */
const insightRequests: string[] = [];

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
  page.on('request', (r) => (new URL(r.url()).origin === base || r.url().startsWith('data:') ? undefined : elsewhere.push(r.url())));
  page.on('request', (r) => (r.url().includes('/api/insight/') ? insightRequests.push(new URL(r.url()).pathname) : undefined));
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

/**
 * Loads the page, and each chart's own API: the page draws them from its one answer, which holds what each API
 * answers. Again when an interval boundary passed in between (the numbers would differ by design).
 */
async function loadPage(range: string): Promise<Record<string, Record<string, unknown>>> {
  for (;;) {
    const before = await api(`api/insight/deliveries?range=${range}`);
    insightRequests.length = 0;
    await page.goto(`${base}/insight?range=${range}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    const bodies = Object.fromEntries(
      await Promise.all(INSIGHT_PAGE_APIS.map(async (n) => [n, await api(`api/insight/${n}?range=${range}`)] as const)),
    );
    const whole = (await api(`${INSIGHT_PAGE_ANSWER}?range=${range}`)) as { since: string; charts: Record<string, unknown> };
    if (bodies.deliveries!.since !== before.since || whole.since !== before.since) continue;
    // One request per page load, whose parts are the per-chart answers (the same shared answer for 5 s).
    expect(insightRequests).toEqual([`/${INSIGHT_PAGE_ANSWER}`]);
    expect(Object.keys(whole.charts)).toEqual([...INSIGHT_PAGE_APIS]);
    // (The queues' answer says when Redis was read: two asks may fall on either side of its 5 s.)
    const untimed = (charts: Record<string, unknown>) => ({ ...charts, queues: { ...(charts.queues as object), generatedAt: 'now' } });
    expect(untimed(whole.charts)).toEqual(untimed(bodies));
    return bodies;
  }
}

describe('insight page in a real browser', () => {
  it('when leads, failures and orders are recorded, then every chart shows the numbers its API returns, without console errors or CSP violations', async () => {
    const bodies = await loadPage('24h');
    for (const id of INSIGHT_SERIES_CHARTS) {
      const body = bodies[id] as unknown as SeriesBody;
      const chart = await chartOf(`chart-${id}`);
      expect(chart.labels).toHaveLength(body.buckets.length);
      expect(chart.datasets.map((d) => ({ name: d.label, unit: d.unit, values: d.data }))).toEqual(body.series);
      expect(body.series.length).toBeGreaterThan(0);
      // Empty intervals stay gaps: null in the data, and no line drawn across them.
      for (const d of chart.datasets) expect(d.spanGaps).toBe(false);
      expect(body.series.some((x) => x.values.includes(null))).toBe(true);
    }
    const funnel = bodies.funnel as unknown as { stages: { count: number }[] };
    expect((await chartOf('chart-funnel')).datasets[0]!.data).toEqual(funnel.stages.map((s) => s.count));
    expect(funnel.stages.map((s) => s.count)).toEqual([3, 2, 1, 1]);
    const funnelRows = await page.$$eval('#funnel-table tbody tr', (rows) => rows.map((r) => r.textContent));
    // Below a second the median is in milliseconds, not "0s". Medians are the middle of their log-scale bucket
    // (the seed's exact ones are 72 ms, 1 h and 2 h).
    expect(funnelRows).toEqual([
      'leads3–––',
      'portal created266.7 %76 ms1 stuck before this',
      'order won/active150 %58m 47s1 stuck before this',
      'audit delivered1100 %1h 57m0 stuck before this',
    ]);

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

    const conflicts = bodies.conflicts as unknown as SeriesBody;
    const sums = Object.fromEntries(conflicts.series.map((x) => [x.name, x.values.reduce<number>((a, v) => a + (v ?? 0), 0)]));
    expect(sums).toEqual({ 'Portal Status: held': 1, 'Portal URL: restored': 1 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${path.join(ARTIFACTS, 'insight-24h')}.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  });

  it('when a chart holds a rate, then the rate is on a percent axis beside the counts it is made of, on an integer axis', async () => {
    await loadPage('24h');
    const axes = (await page.evaluate(`(() => {
      const c = Chart.getChart(document.getElementById('chart-portal-success'));
      return Object.fromEntries(Object.entries(c.scales).map(([id, s]) => [id, { max: s.max, labels: s.ticks.map((t) => t.label) }]));
    })()`)) as Record<string, { max: number; labels: string[] }>;
    expect(axes.pct!.max).toBe(1);
    expect(axes.pct!.labels).toContain('100 %');
    expect(axes.count!.labels.every((l) => /^\d+$/.test(l))).toBe(true);
    const portal = await chartOf('chart-portal-success');
    expect(portal.datasets.map((d) => [d.label, d.yAxisID])).toEqual([
      ['leads ended', 'count'],
      ['leads with a portal', 'count'],
      ['portal creation success rate', 'pct'],
    ]);
    // Per lead: C failed for good, A and B have their portal (B after a retried attempt): 2 of 3, not 2 of 4 attempts.
    // (A and B may share an hour with C or not, depending on where now falls.)
    const data = (name: string) => portal.datasets.find((d) => d.label === name)!.data;
    const sum = (name: string) => data(name).reduce<number>((a, v) => a + (v ?? 0), 0);
    expect([sum('leads ended'), sum('leads with a portal')]).toEqual([3, 2]);
    const ended = data('leads ended');
    expect(data('portal creation success rate')).toEqual(
      ended.map((n, i) => (n === null ? null : Math.round((data('leads with a portal')[i]! / n) * 10_000) / 10_000)),
    );
    expect(await page.$eval('body', (b) => b.textContent)).toContain('Times in UTC');
    expect(await page.$eval('#as-of', (e) => e.textContent)).toMatch(/^as of \d\d:\d\d:\d\d UTC$/);
    const xTitle = await page.evaluate(`Chart.getChart(document.getElementById('chart-latency')).options.scales.x.title.text`);
    expect(xTitle).toBe('interval start (UTC)');
    expect(problems).toEqual([]);
  });

  it('when AITable answered 429s and errors and reconcile found leads missing, then their charts show the counts on integer axes and name the runbook', async () => {
    await loadPage('24h');
    const sums = async (id: string) =>
      Object.fromEntries(
        (await chartOf(`chart-${id}`)).datasets.map((d) => [`${d.label} (${d.yAxisID})`, d.data.reduce<number>((a, v) => a + (v ?? 0), 0)]),
      );
    expect(await sums('upstream')).toMatchObject({ 'AITable 429s (count)': 7 });
    expect(await sums('aitable-answers')).toEqual({ 'code 400 (count)': 1, 'code 429 (count)': 7 });
    expect(await sums('reconcile-missing')).toEqual({ 'leads (count)': 2, 'orders (count)': 0 });
    for (const id of ['upstream', 'aitable-answers', 'reconcile-missing']) {
      const labels = (await page.evaluate(
        `Chart.getChart(document.getElementById('chart-${id}')).scales.count.ticks.map((t) => t.label)`,
      )) as string[];
      expect(labels.length).toBeGreaterThan(1);
      expect(labels.every((l) => /^\d+$/.test(l))).toBe(true);
    }
    const about = await page.$eval('#chart-reconcile-missing', (c) => c.closest('section')!.textContent);
    expect(about).toContain('runbook §4.1 and §4.5 "Reconciliation: events AITable never delivered" (docs/runbook.md)');
    expect(problems).toEqual([]);
  });

  it('when the box to include manual replays is ticked, then the latency chart shows what its API returns with them', async () => {
    await loadPage('24h');
    // Summed over the buckets: the two results fall in two buckets when the run straddles a bucket's edge.
    const successes = (c: ChartData | SeriesBody) =>
      ('datasets' in c
        ? c.datasets.find((d) => d.label === 'audit_result successes')!.data
        : c.series.find((x) => x.name === 'audit_result successes')!.values
      ).reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(successes(await chartOf('chart-latency'))).toBe(1);
    await page.click('#latency-manual');
    await page.waitForFunction(`document.getElementById('chart-latency').getAttribute('data-state') === 'ready'`, { timeout: 10_000 });
    const body = (await api('api/insight/latency?range=24h&manual=include')) as unknown as SeriesBody;
    const chart = await chartOf('chart-latency');
    expect(chart.datasets.map((d) => ({ name: d.label, unit: d.unit, values: d.data }))).toEqual(body.series);
    expect(successes(body)).toBe(2);
    // The replayed audit result waited a day for its operator: p95 with it is hours, without it seconds.
    const p95 = (c: SeriesBody) => Math.max(...c.series.find((x) => x.name === 'audit_result p95')!.values.map((v) => v ?? 0));
    expect(p95(body)).toBeGreaterThan(3600);
    expect(p95((await api('api/insight/latency?range=24h')) as unknown as SeriesBody)).toBeLessThan(60);
    expect(problems).toEqual([]);
  });

  it('when a funnel stage lost leads, then its link lists the leads stuck before it', async () => {
    await loadPage('24h');
    const links = await page.$$eval('#funnel-table tbody tr a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(links).toHaveLength(3);
    const stuck = await Promise.all(links.map(async (l) => (await api(l)) as unknown as { total: number; leads: { recordId: string }[] }));
    expect(stuck.map((x) => x.leads.map((l) => l.recordId))).toEqual([['recC'], ['recB'], []]);
    expect(stuck.map((x) => x.total)).toEqual([1, 1, 0]);
  });

  it('when a viewer opens the page, then no personal data stored in the rows appears on it', async () => {
    await loadPage('1h');
    const html = await page.content();
    expect(html).not.toMatch(/@example\.com|Jane|Doe Payroll/);
    await page.screenshot({ path: `${path.join(ARTIFACTS, 'insight-1h')}.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe('the dashboard offline and at 1,280 to 1,400 px', () => {
  it('when Bull Board and the status page are opened, then no request leaves the origin and no console error or 404 appears, favicon included', async () => {
    elsewhere.length = 0;
    await page.goto(`${base}/admin/queues`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('main [class*="queueCard"]', { timeout: 20_000 });
    await page.goto(`${base}/status`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('link[rel="icon"]', (l) => (l as unknown as { href: string }).href)).toBe(`${base}/favicon.svg`);
    const icon = await fetch(`${base}/favicon.ico`);
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  // Reported at 1,400 px, and seen once since: Bull Board pads its main area for the sidebar only once the sidebar is
  // in the page, and animated that padding, so cards drawn first sat under the sidebar for the animation's length.
  // Each width is checked after the sidebar is put back into the page, the moment the animation started from.
  it.each([
    [1400, 900],
    [1366, 768],
    [1280, 800],
  ])('when Bull Board is %i px wide, then its sidebar covers no part of the first queue card', async (width, height) => {
    await page.setViewport({ width, height });
    await page.goto(`${base}/admin/queues`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('main [class*="queueCard"]', { timeout: 20_000 });
    // The sidebar leaves the page long enough for the cards to take its room, comes back, and one frame later the
    // card's corners and centre show the card, not the sidebar (nor anything else).
    const onTop = (await page.evaluate(`(async () => {
      const aside = document.getElementById('bull-board-sidebar');
      const parent = aside.parentNode, next = aside.nextSibling;
      aside.remove();
      await new Promise((r) => setTimeout(r, 500));
      parent.insertBefore(aside, next);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const card = document.querySelector('main [class*="queueCard"]');
      const b = card.getBoundingClientRect();
      const points = [[b.left + 1, b.top + 1], [b.right - 1, b.top + 1], [b.left + 1, b.bottom - 1], [b.right - 1, b.bottom - 1],
        [b.left + b.width / 2, b.top + b.height / 2]];
      return points.map(([x, y]) => card.contains(document.elementFromPoint(x, y)));
    })()`)) as boolean[];
    expect(onTop).toEqual([true, true, true, true, true]);
    const box = async (selector: string) => (await (await page.$(selector))!.boundingBox())!;
    const sidebar = await box('#bull-board-sidebar');
    const card = await box('main [class*="queueCard"]');
    expect(card.width).toBeGreaterThan(100);
    expect(card.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
    expect(card.x + card.width).toBeLessThanOrEqual(width);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${path.join(ARTIFACTS, `board-${width}`)}.png` });
    expect(problems).toEqual([]);
  });

  it.each(['/status', '/conflicts', '/records?by=record&q=recA', '/bulk-runs'])(
    'when %s is 420 px wide, then the page fits the window and a wide table scrolls inside its own box',
    async (url) => {
      await page.setViewport({ width: 420, height: 900 });
      await page.goto(`${base}${url}`, { waitUntil: 'networkidle0' });
      const fit = (await page.evaluate(`(() => ({
        page: document.documentElement.scrollWidth,
        window: window.innerWidth,
        narrowest: Math.min(...[...document.querySelectorAll('td')].map((c) => c.getBoundingClientRect().width)),
      }))()`)) as { page: number; window: number; narrowest: number };
      expect(fit.page).toBe(fit.window);
      // A squeezed column shows an id one character a line.
      if (Number.isFinite(fit.narrowest)) expect(fit.narrowest).toBeGreaterThan(24);
      expect(problems).toEqual([]);
    },
  );

  it('when the insight page is 420 px wide, then it fits the window: one column of charts, tables scrolling inside their cards', async () => {
    await page.setViewport({ width: 420, height: 900 });
    await page.goto(`${base}/insight`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('.chart canvas', { timeout: 20_000 });
    const fit = (await page.evaluate(`(() => ({
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      widest: Math.max(...[...document.querySelectorAll('.chart')].map((c) => c.getBoundingClientRect().right)),
    }))()`)) as { page: number; window: number; widest: number };
    expect(fit.page).toBe(fit.window);
    expect(fit.widest).toBeLessThanOrEqual(fit.window);
    expect(problems).toEqual([]);
  });
});
