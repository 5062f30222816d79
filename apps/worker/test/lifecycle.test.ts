import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { closeQueues, createQueues, createRedis, pingRedis } from '@bridge/queues';
import { waitFor } from '@bridge/testkit';
import { add, addLead, createHarness, leadEvent, settled, type Harness } from './harness';
import { spawnWorker, type WorkerProcess } from './spawn-worker';

jest.setTimeout(90_000);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

describe('worker lifecycle', () => {
  let h: Harness;
  const children: (WorkerProcess | { child: ChildProcess })[] = [];

  beforeAll(async () => {
    h = await createHarness();
  });
  beforeEach(() => h.sim.control.reset());
  afterEach(() => h.stop());
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await h.close();
  });

  it('when a mapped field is missing from its datasheet, then start-up fails naming the field and the datasheet', async () => {
    await expect(h.start({ AITABLE_LEAD_FIELDS: '{"email":"E-mail"}' })).rejects.toThrow(/dstLeadsSim has no field named "E-mail"/);
    await expect(h.start({ WORKER_QUEUES: 'audit-results', AITABLE_AUDIT_FIELDS: '{"auditId":"Audit Key"}' })).rejects.toThrow(
      /dstAuditSim has no field named "Audit Key"/,
    );
  });

  it('when AITable answers the start-up field check with a 429 storm and 5xx, then the worker waits them out and starts', async () => {
    // More 429s than the client retries inside one call (AITABLE_THROTTLE_RETRIES, 5): the call itself fails throttled.
    await h.sim.control.injectFault({ service: 'aitable', method: 'GET', pathIncludes: '/fields', count: 6, kind: 'rate_limit' });
    await h.sim.control.injectFault({ service: 'aitable', method: 'GET', pathIncludes: '/fields', count: 1, kind: 'status', status: 503 });
    const runtime = await h.start();
    expect(runtime.workers.length).toBeGreaterThan(0);
    expect(await h.sim.control.faults()).toEqual([]);
    expect(h.logLines.some((l) => l.message === 'start-up field check could not reach an answer; trying again')).toBe(true);
  });

  it('when a field override uses a key that is none of ours, then start-up fails naming the key and listing ours', async () => {
    await expect(h.start({ AITABLE_ORDER_FIELDS: '{"state":"Status"}' })).rejects.toThrow(
      /AITABLE_ORDER_FIELDS has unknown key "state".*status, lead/,
    );
  });

  it('when npm run start:worker meets a missing mapped field, then the process exits 1 with the message on stderr', async () => {
    const w = spawnWorker(h.env({ AITABLE_LEAD_FIELDS: '{"portalUrl":"Portal Link"}', LOG_LEVEL: 'error' }));
    children.push(w);
    expect(await w.exited).toBe(1);
    expect(w.stderr.join('')).toMatch(
      /Worker did not start: aitable_missing_fields: Datasheet dstLeadsSim has no field named "Portal Link"/,
    );
  });

  it('when the worker process gets SIGTERM during a job, then the job finishes, the process exits 0 and takes no new job', async () => {
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 1,
      kind: 'hang',
      hangMs: 1500,
    });
    const w = spawnWorker(h.env({ WORKER_QUEUES: 'leads' }));
    children.push(w);
    await w.ready();
    const recordId = await addLead(h);
    const jobId = await add(h, 'leads', leadEvent(recordId));
    await waitFor(
      async () =>
        (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' })).some((r) => r.status === 0),
      {
        what: 'the job to be in flight',
      },
    );
    w.child.kill('SIGTERM');
    await waitFor(() => w.lines.some((l) => String(l.message).startsWith('shutting down')), { what: 'shutdown to begin' });
    const late = await add(h, 'leads', leadEvent(await addLead(h)));

    expect(await w.exited).toBe(0);
    expect(await h.queues.leads.getJobState(jobId)).toBe('completed');
    expect(await h.queues.leads.getJobState(late)).toBe('waiting');
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    expect(w.lines.find((l) => l.message === 'worker stopped')).toMatchObject({ forced: false });
    await h.queues.leads.obliterate({ force: true });
  });

  it('when an active job outlasts SHUTDOWN_TIMEOUT_MS, then the worker force-closes and still exits 0', async () => {
    await h.sim.control.injectFault({
      service: 'missionx',
      method: 'POST',
      pathIncludes: '/v2/clients',
      count: 1,
      kind: 'hang',
      hangMs: 20_000,
    });
    const w = spawnWorker(h.env({ WORKER_QUEUES: 'leads', SHUTDOWN_TIMEOUT_MS: '300' }));
    children.push(w);
    await w.ready();
    const jobId = await add(h, 'leads', leadEvent(await addLead(h)));
    await waitFor(
      async () =>
        (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/v2/clients' })).some((r) => r.status === 0),
      {
        what: 'the job to be in flight',
      },
    );
    w.child.kill('SIGTERM');

    expect(await w.exited).toBe(0);
    expect(w.lines.find((l) => l.message === 'worker stopped')).toMatchObject({ forced: true });
    // Not completed: another worker takes it up as stalled once its lock runs out.
    expect(await h.queues.leads.getJobState(jobId)).toBe('active');
    await h.queues.leads.obliterate({ force: true });
  });

  it('when Redis restarts, then the worker reconnects and processes a job added afterwards', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const startRedis = () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      children.push({ child });
      return child;
    };
    const probe = createRedis(url, 'worker');
    probe.on('error', () => undefined);
    let redis = startRedis();
    await waitFor(() => pingRedis(probe), { what: 'private redis' });
    const connection = createRedis(url, 'worker');
    connection.on('error', () => undefined);
    const queues = createQueues({ connection, prefix: h.prefix, retry: { attempts: 4, backoffMs: 50 } });
    for (const q of Object.values(queues)) q.on('error', () => undefined);
    const priv = { ...h, queues };
    try {
      await h.start({ REDIS_URL: url, WORKER_QUEUES: 'leads' });
      expect((await settled(priv, 'leads', await add(priv, 'leads', leadEvent(await addLead(h))))).state).toBe('completed');

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      redis = startRedis();
      await waitFor(() => pingRedis(probe), { what: 'redis back' });

      const recordId = await addLead(h);
      const after = await settled(priv, 'leads', await add(priv, 'leads', leadEvent(recordId)), 30_000);
      expect(after.state).toBe('completed');
      expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    } finally {
      await h.stop();
      await closeQueues(queues);
      connection.disconnect();
      probe.disconnect();
      redis.kill('SIGKILL');
    }
  });

  it('when a job has run, then /metrics exposes job, external call and sync latency series and /healthz answers ok', async () => {
    const runtime = await h.start();
    await settled(h, 'leads', await add(h, 'leads', leadEvent(await addLead(h))));
    const base = `http://127.0.0.1:${runtime.metricsPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/bridge_job_duration_seconds_count\{.*queue="leads".*outcome="completed".*\} 1/);
    expect(metrics).toMatch(/bridge_external_calls_total\{.*service="missionx",operation="createClient",status="200".*\} 1/);
    expect(metrics).toMatch(/bridge_external_calls_total\{.*service="aitable",operation="updateRecords",status="200".*\}/);
    expect(metrics).toMatch(/bridge_sync_latency_seconds_count\{.*entity="lead".*\} 1/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      queues: [
        { queue: 'leads', running: true },
        { queue: 'orders', running: true },
        { queue: 'audit-results', running: true },
      ],
    });
  });
});
