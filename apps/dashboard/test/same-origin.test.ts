import request from 'supertest';
import { BOARD_PATH, createBoards } from '../src/board';
import { boardRetryRoutes } from '../src/routes/board-retry';
import { asOperator, startTestDashboard, useTestDashboard } from './build-app';
import { getRoutes, plantPersonalData, type Planted } from './personal-data';

jest.setTimeout(120_000);
const t = useTestDashboard();
let planted: Planted;
beforeAll(async () => {
  planted = await plantPersonalData(t);
});

const HOST = 'dash.internal:3001';
const METHODS = ['post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

/** One concrete URL per route pattern, filled with a planted failed job and rejected delivery; an unknown parameter fails the test. */
function fill(route: string): string {
  const job = planted.jobs[0]!;
  const url = route
    .replace(':queueName', job.queue)
    .replace(':jobId', job.id)
    .replace(':queueStatus', 'failed')
    .replace(':schedulerId', 'no-such-scheduler')
    .replace(':id', planted.deliveries[0]!);
  if (url.includes(':')) throw new Error(`the walk does not know how to fill ${route}; add it to fill()`);
  return url;
}

/** Every state-changing route the dashboard answers, found in its routers, Bull Board's and our board overrides. */
function everyStateChangingRoute(): { method: Method; url: string }[] {
  const boardRouters = [createBoards(t.h.queues).operator, boardRetryRoutes(t.h.queues)];
  return METHODS.flatMap((method) => [
    ...getRoutes(t.app, method).map((r) => ({ method, url: fill(r) })),
    ...boardRouters.flatMap((router) => getRoutes(router, method).map((r) => ({ method, url: `${BOARD_PATH}${fill(r)}` }))),
  ]);
}

const send = (method: Method, url: string, headers: Record<string, string>, body: string | object = { rawBody: '{}' }) => {
  const req = asOperator(request(t.app)[method](url)).set('Host', HOST);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.send(body);
};

/** What a cross-site request could change: the failed job, the delivery, the queues. */
async function sideEffects() {
  const job = planted.jobs[0]!;
  const delivery = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: planted.deliveries[0]! } });
  return {
    jobState: await (await t.h.queues[job.queue].getJob(job.id))?.getState(),
    paused: await Promise.all(Object.values(t.h.queues).map((q) => q.isPaused())),
    counts: await Promise.all(Object.values(t.h.queues).map((q) => q.getJobCounts())),
    delivery: { rawBody: delivery.rawBody, contentType: delivery.contentType, replayedAt: delivery.replayedAt },
  };
}

const CROSS_SITE: Record<string, Record<string, string>> = {
  'Sec-Fetch-Site: cross-site': { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
  'Sec-Fetch-Site: same-site': { 'Sec-Fetch-Site': 'same-site', Origin: `http://other.${HOST}` },
  'Sec-Fetch-Site: none': { 'Sec-Fetch-Site': 'none' },
  'Origin of another site': { Origin: 'https://evil.example' },
  'Origin null (sandboxed frame)': { Origin: 'null' },
  'Referer of another site': { Referer: 'https://evil.example/page' },
};

describe('operator actions answer this dashboard only', () => {
  test('the walk finds the routes it must cover', () => {
    const urls = everyStateChangingRoute().map((r) => `${r.method.toUpperCase()} ${r.url}`);
    const job = planted.jobs[0]!;
    expect(urls).toEqual(
      expect.arrayContaining([
        `POST /api/deliveries/${planted.deliveries[0]}/correct`,
        `POST /api/deliveries/${planted.deliveries[0]}/replay`,
        'POST /api/replay',
        'POST /api/bulk-runs',
        `POST /api/bulk-runs/${planted.deliveries[0]}/cancel`,
        `POST /api/bulk-runs/${planted.deliveries[0]}/restart`,
        `PUT ${BOARD_PATH}/api/queues/${job.queue}/${job.id}/retry`,
        `PUT ${BOARD_PATH}/api/queues/${job.queue}/pause`,
        `PUT ${BOARD_PATH}/api/queues/${job.queue}/clean/failed`,
        `PUT ${BOARD_PATH}/api/queues/${job.queue}/${job.id}/promote`,
      ]),
    );
  });

  test.each(Object.entries(CROSS_SITE))(
    'when a state-changing request comes with %s, then every route answers 403 and changes nothing',
    async (_, headers) => {
      const before = await sideEffects();
      const answers = [];
      for (const { method, url } of everyStateChangingRoute()) {
        const res = await send(method, url, headers);
        answers.push({ route: `${method} ${url}`, status: res.status, error: res.body.error });
      }
      expect(answers.filter((a) => a.status !== 403 || a.error !== 'cross_site_request')).toEqual([]);
      expect(await sideEffects()).toEqual(before);
    },
  );

  test.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('when a client without Origin sends %s, then every route answers 415 and changes nothing', async (_, type) => {
    const before = await sideEffects();
    const answers = [];
    for (const { method, url } of everyStateChangingRoute()) {
      const res = await send(method, url, { 'Content-Type': type }, 'rawBody=x');
      answers.push({ route: `${method} ${url}`, status: res.status });
    }
    expect(answers.filter((a) => a.status !== 415)).toEqual([]);
    expect(await sideEffects()).toEqual(before);
  });

  test('when a refused request is answered, then the message says why and what works', async () => {
    const res = await send('post', `/api/deliveries/${planted.deliveries[0]}/replay`, { Origin: 'https://evil.example' });
    expect(res.body.message).toMatch(
      /refused: its Origin is not this dashboard\. Operator actions work only from this dashboard's own pages/,
    );
    const plain = await send('post', `/api/deliveries/${planted.deliveries[0]}/correct`, { 'Content-Type': 'text/plain' }, '{}');
    expect(plain.body.message).toMatch(/Content-Type must be application\/json .*got text\/plain/);
  });

  test('when the dashboard pages are served, then they hold no HTML form (a form would need a CSRF token)', async () => {
    for (const page of ['/status', '/insight', '/bulk-runs', BOARD_PATH]) {
      const res = await asOperator(request(t.app).get(page));
      expect({ page, status: res.status, form: /<form/i.test(res.text) }).toEqual({ page, status: 200, form: false });
    }
  });

  test('when the request comes from the dashboard itself, or from curl without Origin, then operator actions work', async () => {
    const id = planted.deliveries[0]!;
    const own = { 'Sec-Fetch-Site': 'same-origin', Origin: `http://${HOST}` };
    expect((await send('post', `/api/deliveries/${id}/revalidate`, own, {})).status).toBe(200);
    expect((await send('post', `/api/deliveries/${id}/revalidate`, { Origin: `http://${HOST}` }, {})).status).toBe(200);
    expect((await send('post', `/api/deliveries/${id}/revalidate`, { Referer: `http://${HOST}/status` }, {})).status).toBe(200);
    expect((await send('post', '/api/replay', {}, { all: true, dryRun: true })).status).toBe(200);
    // Bull Board's buttons send no body.
    const pause = await asOperator(request(t.app).put(`${BOARD_PATH}/api/queues/orders/pause`))
      .set('Host', HOST)
      .set(own);
    expect(pause.status).toBe(200);
    expect(await t.h.queues.orders.isPaused()).toBe(true);
    await t.h.queues.orders.resume();
  });

  test('when APP_URL names the public address behind a proxy, then an Origin of it is the dashboard own', async () => {
    const behindProxy = await startTestDashboard({ publicUrl: 'https://bridge.example.com' });
    try {
      const res = await asOperator(request(behindProxy.app).post('/api/replay'))
        .set('Origin', 'https://bridge.example.com')
        .send({ all: true, dryRun: true });
      expect(res.status).toBe(200);
    } finally {
      await behindProxy.close();
    }
  });
});
