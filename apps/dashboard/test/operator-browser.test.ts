import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { waitFor } from '@bridge/testkit';
import { launchChromium } from './browser';
import { OPERATOR, startTestDashboard, type TestDashboard } from './build-app';
import { plantPersonalData, type Planted } from './personal-data';

jest.setTimeout(120_000);

let t: TestDashboard;
let planted: Planted;
let dashboard: Server;
let attacker: Server;
let dashboardUrl: string;
let attackerUrl: string;
let browser: Browser;
let page: Page;
/** What the dashboard answered to each state-changing request it received. */
const answered: { method: string; url: string; status: number }[] = [];

const listen = async (server: Server) => {
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  t = await startTestDashboard();
  planted = await plantPersonalData(t);
  dashboard = http.createServer((req, res) => {
    if (req.method !== 'GET') res.on('finish', () => answered.push({ method: req.method!, url: req.url!, status: res.statusCode }));
    t.app(req, res);
  });
  // 127.0.0.1 and localhost are different sites to the browser: the attacker's page is cross-site.
  dashboardUrl = `http://127.0.0.1:${await listen(dashboard)}`;
  const delivery = planted.deliveries[0]!;
  const pages: Record<string, string> = {
    // A form needs no CORS preflight and the browser attaches the cached Basic login to it.
    '/form': `<form id="f" method="POST" action="${dashboardUrl}/api/deliveries/${delivery}/replay" enctype="text/plain"><input name="x" value="y"></form><script>document.getElementById('f').submit()</script>`,
    // Another simple request: text/plain, so no preflight either (a PUT or a JSON body would need one, which the dashboard never grants).
    '/fetch': `<script>fetch('${dashboardUrl}/api/replay', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"all":true}' })</script>`,
  };
  attacker = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(pages[req.url ?? ''] ?? ''));
  attackerUrl = `http://localhost:${await listen(attacker)}`;

  browser = await launchChromium();
  page = await browser.newPage();
  await page.authenticate({ username: OPERATOR.name, password: OPERATOR.password });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([dashboard, attacker].map((s) => s && new Promise((resolve) => s.close(resolve))));
  await t?.close();
});

describe('in a real browser logged in as operator', () => {
  test("when the dashboard's own page calls Bull Board's API, then the action works", async () => {
    await page.goto(`${dashboardUrl}/admin/queues`, { waitUntil: 'networkidle0' });
    // Bull Board's buttons call its API with fetch from this page; the same call, made in the page.
    const status = await page.evaluate(`fetch('api/queues/orders/pause', { method: 'PUT' }).then((r) => r.status)`);
    expect(status).toBe(200);
    expect(await t.h.queues.orders.isPaused()).toBe(true);
    await t.h.queues.orders.resume();
  });

  test("when another site's page submits a form or a text/plain fetch to an operator action, then the dashboard answers 403 and nothing changes", async () => {
    await page.goto(`${attackerUrl}/form`, { waitUntil: 'networkidle0' });
    await page.goto(`${attackerUrl}/fetch`, { waitUntil: 'networkidle0' });
    await waitFor(() => answered.find((a) => a.url === '/api/replay'), { what: 'the cross-site fetch to reach the dashboard' });
    expect(answered).toEqual(
      expect.arrayContaining([
        { method: 'POST', url: `/api/deliveries/${planted.deliveries[0]}/replay`, status: 403 },
        { method: 'POST', url: '/api/replay', status: 403 },
      ]),
    );
    const job = planted.jobs[0]!;
    expect(await (await t.h.queues[job.queue].getJob(job.id))!.getState()).toBe('failed');
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: planted.deliveries[0]! } });
    expect(row.replayedAt).toBeNull();
  });
});
