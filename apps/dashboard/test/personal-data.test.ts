import { runScript, TEST_REDIS_URL } from '@bridge/testkit';
import request from 'supertest';
import { BOARD_PATH, createBoards } from '../src/board';
import { asOperator, asViewer, useTestDashboard } from './build-app';
import { getRoutes, LEAD, leaksIn, plantPersonalData, type Planted } from './personal-data';

jest.setTimeout(120_000);
const t = useTestDashboard();
let planted: Planted;
beforeAll(async () => {
  planted = await plantPersonalData(t);
});

const QUEUES = ['leads', 'orders', 'audit-results'] as const;
const STATES = ['latest', 'active', 'waiting', 'waiting-children', 'prioritized', 'completed', 'failed', 'delayed', 'paused'];

/** Concrete URLs for one route pattern, with every planted id filled in; a pattern it cannot fill fails the test. */
function urlsFor(route: string): string[] {
  const jobs = planted.jobs;
  const fixed: Record<string, string[]> = {
    '/api/deliveries': ['?outcome=rejected', '?reason=invalid_json&awaitingFix=true', '?outcome=accepted'].map(
      (q) => `/api/deliveries${q}`,
    ),
    '/api/deliveries/:id': [...planted.deliveries, encodeURIComponent(LEAD.Email)].map((id) => `/api/deliveries/${id}`),
    '/api/conflicts/:id': ['00000000-0000-4000-8000-000000000000', encodeURIComponent(LEAD.Email)].map((id) => `/api/conflicts/${id}`),
    '/api/failed-jobs': ['', '?queue=leads', '?record=recPd1'].map((q) => `/api/failed-jobs${q}`),
    '/api/queues': QUEUES.flatMap((q) => STATES.map((s) => `/api/queues?activeQueue=${q}&status=${s}&page=1&jobsPerPage=50`)),
    '/api/records/:recordId': ['recPd1', 'recPd2', 'recPd3', 'recPd4', 'recPd5', 'recPd6'].map((r) => `/api/records/${r}`),
    '/api/records': planted.deliveries.map((id) => `/api/records?delivery=${id}`),
    '/records': ['', ...['recPd1', 'recPd3', 'recPd5'].map((r) => `?q=${r}`)].map((q) => `/records${q}`),
    '/api/bulk-runs/:id': [...planted.bulkRuns, encodeURIComponent(LEAD.Email)].map((id) => `/api/bulk-runs/${id}`),
    '/insight-assets/:file': ['chart.umd.min.js', 'insight.js', 'insight.css'].map((f) => `/insight-assets/${f}`),
  };
  if (fixed[route]) return fixed[route]!;
  if (route.startsWith('/api/insight/') || route === '/insight') return ['1h', '30d'].map((r) => `${route}?range=${r}`);
  if (route.includes(':jobId')) return jobs.map((j) => route.replace(':queueName', j.queue).replace(':jobId', j.id));
  if (route.includes(':queueName')) return QUEUES.map((q) => route.replace(':queueName', q));
  if (route.includes(':')) throw new Error(`the walk does not know how to fill ${route}; add it to urlsFor`);
  return [route];
}

/** Every GET the dashboard answers, found in its own router and in Bull Board's. */
function everyViewerUrl(): string[] {
  const board = getRoutes(createBoards(t.h.queues).viewer)
    .flatMap(urlsFor)
    .map((u) => `${BOARD_PATH}${u === '/' ? '' : u}`);
  return [...getRoutes(t.app).flatMap(urlsFor), ...board];
}

describe('personal data on every screen a viewer reads', () => {
  test('when a viewer walks every GET route (Bull Board API included), then no planted name, email, phone or company shows', async () => {
    const urls = everyViewerUrl();
    expect(urls).toEqual(
      expect.arrayContaining(['/status', '/api/status', '/metrics', `${BOARD_PATH}/api/queues/leads/${planted.jobs[0]!.id}/logs`]),
    );
    const found: { url: string; status: number; leaks: string[] }[] = [];
    const answers = new Map<string, string>();
    for (const url of urls) {
      const res = await asViewer(request(t.app).get(url));
      // supertest leaves `text` unset for non-text types (the favicon): read those bytes as text too.
      const text = res.text ?? (Buffer.isBuffer(res.body) ? res.body.toString('utf8') : JSON.stringify(res.body ?? ''));
      answers.set(url, text);
      found.push({ url, status: res.status, leaks: leaksIn(text) });
    }
    expect(found.filter((f) => f.leaks.length > 0 || f.status >= 500)).toEqual([]);
    // The walk saw the planted data, masked: it is not clean because it missed it.
    expect(answers.get(`${BOARD_PATH}/api/queues/leads/${planted.jobs[0]!.id}`)).toMatch(/z\*\*\*@q\*\*\*\.example/);
    expect(answers.get(`${BOARD_PATH}/api/queues/leads/${planted.jobs[0]!.id}/logs`)).toMatch(/\*\*\*58/);
    expect(answers.get(`/api/deliveries/${planted.deliveries[0]}`)).toMatch(/recPd4.*Z\*\*\* /);
    expect(answers.get('/status')).toMatch(/recPd1/);
    expect(answers.get(`/api/bulk-runs/${planted.bulkRuns[0]}`)).toMatch(/\{Email\} = \\"z\*\*\*@q\*\*\*\.example/);
    const lineBreaks = JSON.parse(answers.get(`/api/deliveries/${planted.deliveries[1]}`)!) as { rawBody: string };
    expect(lineBreaks.rawBody).toMatch(
      /"Client Name": "R\*\*\* T\*\*\*", "Phone": "\*\*\*58", "Notes": "write to j\*\*\*@e\*\*\*\.de", "Telefon":"\*\*\*78"/,
    );
    expect(answers.get(`${BOARD_PATH}/api/queues/orders/${planted.jobs[1]!.id}`)).toMatch(
      /"Kontakt":"j\*\*\*@e\*\*\*\.de","Telefon":"\*\*\*78"/,
    );
  });

  test('when an operator reads a delivery, then it is masked unless asked with raw=1, which a viewer is refused', async () => {
    const url = `/api/deliveries/${planted.deliveries[0]}`;
    const masked = await asOperator(request(t.app).get(url));
    expect(masked.body).toMatchObject({ rawBodyMasked: true });
    expect(leaksIn(masked.text)).toEqual([]);

    const raw = await asOperator(request(t.app).get(url).query({ raw: '1' }));
    const stored = await t.db.webhookDelivery.findUniqueOrThrow({ where: { id: planted.deliveries[0]! } });
    expect(raw.body).toMatchObject({ rawBodyMasked: false, rawBody: stored.rawBody });

    const refused = await asViewer(request(t.app).get(url).query({ raw: '1' }));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/viewer.*raw=1.*needs the operator role/);
  });
});

describe('personal data in the replay CLI', () => {
  const cli = async (args: string[]) => {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: t.databaseUrl,
      QUEUE_PREFIX: t.h.prefix,
      AITABLE_LEADS_DATASHEET_ID: 'dstLeads1',
      AITABLE_ORDERS_DATASHEET_ID: 'dstOrders1',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAudit1',
    };
    const r = await runScript('apps/dashboard/src/replay-cli.ts', args, { env });
    return { code: r.code, out: `${r.stdout}\n${r.stderr}` };
  };

  test('when the CLI runs without --show-personal-data, then none of its output shows the planted values', async () => {
    const [invalidJson, lineBreaks, , quotedDetail] = planted.deliveries;
    const runs: [string[], number][] = [
      [['jobs', '--all', '--dry-run'], 0],
      [['jobs', '--all', '--dry-run', '--json'], 0],
      [['deliveries', 'list', '--json'], 0],
      [['deliveries', 'show', invalidJson!], 0],
      [['deliveries', 'show', lineBreaks!], 0],
      [['deliveries', 'show', lineBreaks!, '--json'], 0],
      [['deliveries', 'show', quotedDetail!, '--json'], 0],
      // The error quotes the id it was given.
      [['deliveries', 'show', LEAD.Email], 2],
    ];
    for (const [args, code] of runs) {
      const r = await cli(args);
      expect({ args, code: r.code, leaks: leaksIn(r.out) }).toEqual({ args, code, leaks: [] });
    }
  });

  test('when a delivery is shown masked, then the output says so, and a broken body is not passed off as the stored one', async () => {
    const text = await cli(['deliveries', 'show', planted.deliveries[1]!]);
    expect(text.out).toMatch(/^body \(masked: personal data hidden; --show-personal-data prints it as stored\):\n\{"datasheetId"/m);
    const json = await cli(['deliveries', 'show', planted.deliveries[1]!, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ rawBodyMasked: true, rawBody: expect.stringContaining('R*** T***') });
    const raw = await cli(['deliveries', 'show', planted.deliveries[1]!, '--json', '--show-personal-data']);
    expect(JSON.parse(raw.out)).toMatchObject({ rawBodyMasked: false, rawBody: expect.stringContaining('Tablesworth') });
  });

  test('when --show-personal-data is given, then the body is printed as stored', async () => {
    const r = await cli(['deliveries', 'show', planted.deliveries[0]!, '--show-personal-data']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"Client Name": "Zebulon "Zeb" Quartermaine"');
  });
});
