import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BulkRunner, BulkRunView } from '@bridge/ops';
import { addLead, createHarness, type Harness } from '@bridge/worker/testing';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './browser';
import { OPERATOR, VIEWER } from './build-app';
import { bulkDashboard, bulkRunnerFor } from './bulk-dashboard';

jest.setTimeout(240_000);

/** Enough leads, read 20 at a time under the simulator's latency, that the run takes seconds and a cancel lands mid-way. */
const LEADS = 400;
let h: Harness;
let runner: BulkRunner;
let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  for (let i = 0; i < LEADS; i++) await addLead(h, { Email: `p${i}@page${i}.example`, 'Client Name': `Page ${i}` });
  runner = bulkRunnerFor(h, { BACKFILL_PAGE_SIZE: '20', BACKFILL_CHUNK_SIZE: '10' });
  server = bulkDashboard(h, runner).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.authenticate({ username: OPERATOR.name, password: OPERATOR.password });
  page.on('console', (m) => (m.type() === 'error' ? problems.push(`console: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('response', (r) => (r.status() >= 400 ? problems.push(`HTTP ${r.status()}: ${r.url()}`) : undefined));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await runner?.close();
  await h?.close();
});

// Page-side code as text: the tests compile without the DOM library.
const newestRow = `document.querySelector('#runs tbody tr')`;
const cellOf = (cls: string) => `(${newestRow}?.querySelector('td.${cls}')?.textContent ?? '')`;

/** What the newest row of the table shows now. */
async function shown(): Promise<{ id: string; status: string; done: number; total: number }> {
  return page.evaluate(
    `({ id: ${newestRow}?.dataset.runId ?? '', status: ${newestRow}?.dataset.status ?? '', done: Number(${cellOf('done')}), total: Number(${cellOf('total')}) })`,
  ) as Promise<{ id: string; status: string; done: number; total: number }>;
}

/** Clicks in one page task: the table is redrawn every second, so a button found in one step may be gone in the next. */
const clickIn = (runId: string, button: string) =>
  page.evaluate(`document.querySelector('tr[data-run-id="${runId}"] button.${button}').click()`);

const waitShown = (condition: string, timeout = 120_000) => page.waitForFunction(condition, { timeout, polling: 200 });

test('when an operator starts a backfill on the page, then they watch it progress, cancel it mid-run, restart it and see it complete', async () => {
  await h.sim.control.setLatency('aitable', 250);
  await page.goto(`${base}/bulk-runs`, { waitUntil: 'load' });
  await page.select('#kind', 'backfill');
  await page.select('#datasheet', 'leads');
  await page.click('#start-run');
  await waitShown(`document.getElementById('start-message').textContent.startsWith('Started run')`);

  // The table refreshes itself: the done count moves while the run goes on.
  await waitShown(`${newestRow}?.dataset.status === 'running' && Number(${cellOf('done')}) > 0`);
  const early = await shown();
  await waitShown(`Number(${cellOf('done')}) > ${early.done}`);
  const later = await shown();
  expect(later.id).toBe(early.id);
  expect(later.total).toBeGreaterThan(later.done);
  expect(await page.evaluate(`${cellOf('rate')}`)).toMatch(/\/s$/);

  await clickIn(early.id, 'cancel');
  await waitShown(`${newestRow}?.dataset.status === 'cancelled'`);
  const cancelled = await shown();
  expect(cancelled.done).toBeGreaterThan(0);
  expect(cancelled.done).toBeLessThan(LEADS);

  await h.sim.control.setLatency('aitable', 50);
  await clickIn(early.id, 'restart');
  await waitShown(`${newestRow}?.dataset.runId !== ${JSON.stringify(early.id)}`);
  const restarted = await shown();
  // It resumes where the cancelled run stopped.
  expect(restarted.done).toBeGreaterThanOrEqual(cancelled.done);
  await waitShown(`${newestRow}?.dataset.status === 'completed'`);
  expect(await shown()).toMatchObject({ id: restarted.id, done: LEADS, total: LEADS });

  const api = (await (
    await fetch(`${base}/api/bulk-runs`, {
      headers: { authorization: `Basic ${Buffer.from(`${OPERATOR.name}:${OPERATOR.password}`).toString('base64')}` },
    })
  ).json()) as { runs: BulkRunView[] };
  expect(api.runs.map((r) => [r.id, r.status, r.startedBy])).toEqual([
    [restarted.id, 'completed', OPERATOR.name],
    [early.id, 'cancelled', OPERATOR.name],
  ]);
  expect(api.runs[0]!.counts.enqueued).toBe(LEADS);
  expect(problems).toEqual([]);
});

test('when a viewer opens the page, then they see the runs and no button', async () => {
  const context = await browser.createBrowserContext();
  try {
    const viewer = await context.newPage();
    await viewer.authenticate({ username: VIEWER.name, password: VIEWER.password });
    await viewer.goto(`${base}/bulk-runs`, { waitUntil: 'load' });
    await viewer.waitForFunction(`document.querySelectorAll('#runs tbody tr').length === 2`, { timeout: 30_000, polling: 200 });
    expect(await viewer.evaluate(`document.querySelectorAll('button').length`)).toBe(0);
  } finally {
    await context.close();
  }
});
