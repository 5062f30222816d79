import { createRedis, pingRedis } from '@bridge/queues';
import { freePort, redisCli, SentinelTopology, waitFor } from '@bridge/testkit-base';
import IORedis, { type Redis } from 'ioredis';
import net from 'node:net';

/**
 * The Sentinel connection of every role, on real redis-server processes. Failovers are forced with
 * SENTINEL FAILOVER on a topology whose sentinels never fail over by themselves (down-after 60 s),
 * so each test decides exactly where the client is when the new primary is announced.
 */
describe('a Sentinel connection', () => {
  let topology: SentinelTopology | undefined;
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await topology?.stop();
    topology = undefined;
  }, 60_000);

  const start = async () => (topology = await SentinelTopology.start({ downAfterMs: 60_000 }));
  const connect = (t: SentinelTopology, sentinelPorts = t.sentinelPorts): Redis => {
    const sentinels = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
    const redis = createRedis({ mode: 'sentinel', sentinels, name: t.name, tls: false }, 'producer') as Redis;
    redis.on('error', () => undefined);
    // disconnect() after a quit() would arm a 2 s timer for a socket already closed.
    closers.push(() => redis.status !== 'end' && redis.disconnect());
    return redis;
  };
  // Status `end` is final: nothing but a new connection leaves it.
  const settled = async (redis: Redis) => {
    await waitFor(() => ['ready', 'end'].includes(redis.status), { timeoutMs: 60_000, what: 'the connection to be ready or ended' });
    return redis.status;
  };
  const failover = async (t: SentinelTopology, old: number) => {
    await redisCli(t.sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', t.name);
    return t.waitForFailover(old, 60_000);
  };

  it('keeps trying when a new primary is announced while it is asking a sentinel, and writes on the new primary', async () => {
    const t = await start();
    // A "sentinel" that answers nothing once armed: a client asking it is held inside its connect.
    const silent = await silentSentinel();
    closers.push(() => silent.release());
    const redis = connect(t, [silent.port, ...t.sentinelPorts]);
    expect(await settled(redis)).toBe('ready');

    silent.arm();
    const old = await t.killPrimary();
    // The sentinels still name the dead primary, so the client goes round the list until it waits on the silent one.
    await waitFor(() => silent.asked, { timeoutMs: 60_000, what: 'the client to ask the silent sentinel' });
    const announced = switchAnnounced(t);
    closers.push(() => announced.close());
    const promoted = await failover(t, old);
    await announced.heard;
    silent.release();

    // ioredis's own failoverDetector cancelled the connect here, and the client ended for good.
    expect(await settled(redis)).toBe('ready');
    expect(await redis.set('after-switch', '1')).toBe('OK');
    expect(Number(await redisCli(promoted, 'EXISTS', 'after-switch'))).toBe(1);
  }, 180_000);

  it('leaves a primary that stopped answering (its socket open) once the new one is announced', async () => {
    const t = await start();
    const redis = connect(t);
    expect(await settled(redis)).toBe('ready');
    const old = await t.freezePrimary();
    closers.push(() => t.thaw(old));
    const promoted = await failover(t, old);

    // Without a watcher the socket to the frozen primary would wait for TCP to give up (minutes).
    await waitFor(() => pingRedis(redis, 1000), { timeoutMs: 60_000, what: 'an answer from the new primary' });
    expect(await redis.set('after-freeze', '1')).toBe('OK');
    expect(Number(await redisCli(promoted, 'EXISTS', 'after-freeze'))).toBe(1);
  }, 180_000);

  it('leaves no subscription on the sentinels after quit()', async () => {
    const t = await start();
    const redis = connect(t);
    expect(await settled(redis)).toBe('ready');
    await waitFor(async () => (await subscribers(t)) === t.sentinelPorts.length, { timeoutMs: 30_000, what: 'a watcher on each sentinel' });
    await redis.quit();
    await waitFor(async () => (await subscribers(t)) === 0, { timeoutMs: 30_000, what: 'the watchers to close' });
  }, 120_000);
});

/** Subscribed clients across the sentinels (sentinels talk to each other without subscribing). */
async function subscribers(t: SentinelTopology): Promise<number> {
  let n = 0;
  for (const port of t.sentinelPorts) n += (await redisCli(port, 'CLIENT', 'LIST')).split('\n').filter((l) => / sub=[1-9]/.test(l)).length;
  return n;
}

/** Resolves once a sentinel has announced a new primary for the topology's name. */
function switchAnnounced(t: SentinelTopology) {
  const sub = new IORedis({ host: '127.0.0.1', port: t.sentinelPorts[0]! });
  sub.on('error', () => undefined);
  const heard = new Promise<void>((resolve) => {
    sub.on('message', (_channel: string, message: string) => {
      if (message.startsWith(`${t.name} `)) resolve();
    });
  });
  void sub.subscribe('+switch-master');
  return { heard, close: () => sub.disconnect() };
}

/**
 * A port in the client's sentinel list that refuses connections until armed. Armed, it answers a
 * client's handshake (+OK to each command) but never the question for the primary, until released
 * (then it refuses again). `asked` turns true once a client waits on that question.
 */
async function silentSentinel() {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let asked = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      const text = data.toString();
      if (text.includes('get-master-addr-by-name')) asked = true;
      // A watcher's SUBSCRIBE waits too; every other command (CLIENT SETINFO…) gets +OK.
      else if (!/subscribe/i.test(text)) socket.write('+OK\r\n'.repeat(text.match(/^\*\d+\r$/gm)?.length ?? 0));
    });
  });
  return {
    port,
    get asked() {
      return asked;
    },
    arm: () => server.listen(port, '127.0.0.1'),
    release: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
