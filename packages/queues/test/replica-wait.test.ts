import { waitForReplicas } from '@bridge/queues';
import { freePort, redisCli, waitFor, waitForPort } from '@bridge/testkit-base';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis, { type Redis } from 'ioredis';

/**
 * WAIT on a primary of its own (redis-server on a free port), so its command counts are this test's
 * alone: concurrent callers share WAITs, and a shared WAIT still covers every caller's write.
 */
describe('waitForReplicas', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bridge-wait-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(
      children.map((c) => {
        const exited = new Promise((resolve) => c.once('exit', resolve));
        c.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  const server = async (name: string, ...args: string[]): Promise<number> => {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--dbfilename', `${name}.rdb`, ...args],
      {
        stdio: 'ignore',
      },
    );
    children.push(child);
    await waitForPort(port, 10_000, `redis-server ${name}`);
    return port;
  };
  const connect = (port: number): Redis => {
    const c = new IORedis({ port, host: '127.0.0.1', lazyConnect: false });
    clients.push(c);
    return c;
  };
  const waitCalls = async (port: number) => Number(/cmdstat_wait:calls=(\d+)/.exec(await redisCli(port, 'INFO', 'commandstats'))?.[1] ?? 0);

  it('when 30 requests wait for a replica that is not there, then they share at most two WAITs and each hears 0', async () => {
    const port = await server('alone');
    const redis = connect(port);
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        await redis.set(`k${i}`, 'v');
        return waitForReplicas(redis, 'k', 1, 300);
      }),
    );
    expect(answers).toEqual(Array(30).fill(0));
    expect(await waitCalls(port)).toBeLessThanOrEqual(2);
  });

  it('when requests keep writing while a WAIT runs, then each answer covers that request own write on the replica', async () => {
    const primaryPort = await server('primary');
    const replicaPort = await server('replica', '--replicaof', '127.0.0.1', String(primaryPort));
    await waitFor(async () => /master_link_status:up/.test(await redisCli(replicaPort, 'INFO', 'replication')), {
      timeoutMs: 20_000,
      what: 'the replica linked',
    });
    const primary = connect(primaryPort);
    const replica = connect(replicaPort);
    // Each request checks the replica right after its own answer: a WAIT shared with an earlier caller
    // that went out before this request's write would let it find its key missing.
    const seen = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, (i % 8) * 3));
        await primary.set(`w${i}`, String(i));
        const acked = await waitForReplicas(primary, 'w', 1, 5000);
        return acked >= 1 ? await replica.get(`w${i}`) : `unacked ${acked}`;
      }),
    );
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    expect(await waitCalls(primaryPort)).toBeLessThan(40);
  });
});
