import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './ports';
import { waitFor } from './wait';

const run = promisify(execFile);

/** One redis-server (or sentinel) process of a topology, in a directory of its own. */
class RedisProcess {
  private child?: ChildProcess;
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const child = spawn('redis-server', this.args, { cwd: this.dir, stdio: 'ignore' });
    this.child = child;
    await waitForPort(this.port, 10_000, `redis-server on ${this.port}`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGSTOP / SIGCONT: a host that stops answering without closing a socket (a VM frozen, a partition). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL: what the replicas had not received yet is gone with it. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** `redis-cli -p port …`, answer trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

// Like production: AOF fsynced on every write and no eviction (docs/runbook.md).
const DATA_NODE = [
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--maxmemory-policy',
  'noeviction',
];

abstract class Topology {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'bridge-redis-'));
  protected readonly processes: RedisProcess[] = [];

  protected async spawn(port: number, name: string, args: string[]): Promise<RedisProcess> {
    const p = new RedisProcess(port, path.join(this.dir, name), args);
    this.processes.push(p);
    await p.start();
    return p;
  }

  /** Starts a killed node again, from its own AOF and config: it comes back as a replica of whoever was promoted. */
  async restart(port: number): Promise<void> {
    await this.processes.find((p) => p.port === port)!.start();
  }

  /** Waits until the primary at `port` has a replica online again (after a restart or a resync). */
  async waitForReplicaOf(port: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => /slave\d+:.*state=online/.test(await redisCli(port, 'INFO', 'replication')), {
      timeoutMs,
      intervalMs: 200,
      what: `a replica of ${port} online`,
    });
  }

  /** Kills every process and removes the temp dir; safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A primary, one replica (or `replicas`) and three sentinels (quorum 2) on free ports. Sentinel
 * declares the primary down after `downAfterMs` without an answer, so a failover takes about that
 * plus an election.
 */
export class SentinelTopology extends Topology {
  readonly name = 'bridge-primary';
  private data: RedisProcess[] = [];
  private sentinels: RedisProcess[] = [];

  static async start(opts: { downAfterMs?: number; replicas?: number } = {}): Promise<SentinelTopology> {
    const t = new SentinelTopology();
    try {
      await t.boot(opts.downAfterMs ?? 1000, opts.replicas ?? 1);
    } catch (err) {
      await t.stop();
      throw err;
    }
    return t;
  }

  private async boot(downAfterMs: number, replicas: number): Promise<void> {
    const primaryPort = await freePort();
    this.data = [await this.spawn(primaryPort, 'primary', ['--port', String(primaryPort), ...DATA_NODE])];
    for (let i = 0; i < replicas; i++) {
      const port = await freePort();
      this.data.push(
        await this.spawn(port, `replica-${i}`, ['--port', String(port), ...DATA_NODE, '--replicaof', '127.0.0.1', String(primaryPort)]),
      );
    }
    for (const replica of this.data.slice(1)) {
      await waitFor(async () => (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'), {
        timeoutMs: 10_000,
        what: 'the replica to sync',
        intervalMs: 200,
      });
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = path.join(this.dir, `sentinel-${i}`);
      mkdirSync(dir, { recursive: true });
      // Sentinel rewrites its config file, so each has its own.
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${this.name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${this.name} ${downAfterMs}`,
          `sentinel failover-timeout ${this.name} 10000`,
          `sentinel parallel-syncs ${this.name} 1`,
          '',
        ].join('\n'),
      );
      this.sentinels.push(await this.spawn(port, `sentinel-${i}`, [conf, '--sentinel']));
    }
    // Ready once every sentinel knows the replica and the other sentinels, so it can vote.
    await waitFor(
      async () => {
        for (const s of this.sentinels) {
          const info = await redisCli(s.port, 'SENTINEL', 'MASTER', this.name);
          if (!/num-other-sentinels\n2\n/.test(info) || !info.includes(`num-slaves\n${replicas}\n`)) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the sentinels to find each other' },
    );
  }

  /** The variables that point the bridge at this topology. */
  get env(): Record<string, string> {
    return { REDIS_SENTINELS: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: this.name };
  }

  get sentinelPorts(): number[] {
    return this.sentinels.map((s) => s.port);
  }

  /** The port the sentinels name as primary now. */
  async primaryPort(): Promise<number> {
    const live = this.sentinels.find((s) => s.running)!;
    const [, port] = (await redisCli(live.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)).split('\n');
    return Number(port);
  }

  /** SIGKILLs the current primary; answers its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.data.find((p) => p.port === port)!.kill();
    return port;
  }

  /** Freezes the current primary (SIGSTOP): its sockets stay open and silent. Answers its port. */
  async freezePrimary(): Promise<number> {
    const port = await this.primaryPort();
    this.data.find((p) => p.port === port)!.freeze();
    return port;
  }

  thaw(port: number): void {
    this.data.find((p) => p.port === port)!.thaw();
  }

  /** Waits until the sentinels name another primary than `old` and it accepts writes. */
  async waitForFailover(old: number, timeoutMs = 30_000): Promise<number> {
    let now = old;
    await waitFor(
      async () => {
        now = await this.primaryPort();
        return now !== old && (await redisCli(now, 'ROLE')).startsWith('master');
      },
      { timeoutMs, intervalMs: 100, what: 'a new primary' },
    );
    return now;
  }
}

/** Three primaries with one replica each (or `replicas`), made with `redis-cli --cluster create`. */
export class ClusterTopology extends Topology {
  private nodes: RedisProcess[] = [];

  static async start(opts: { nodeTimeoutMs?: number; replicas?: number } = {}): Promise<ClusterTopology> {
    const t = new ClusterTopology();
    try {
      await t.boot(opts.nodeTimeoutMs ?? 1000, opts.replicas ?? 1);
    } catch (err) {
      await t.stop();
      throw err;
    }
    return t;
  }

  private async boot(nodeTimeoutMs: number, replicas: number): Promise<void> {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      const port = await freePort();
      const args = ['--port', String(port), ...DATA_NODE, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
      this.nodes.push(await this.spawn(port, `node-${i}`, [...args, '--cluster-node-timeout', String(nodeTimeoutMs)]));
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...this.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      {
        timeout: 30_000,
      },
    );
    await waitFor(
      async () => {
        for (const n of this.nodes) if (!(await redisCli(n.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the cluster to be ok' },
    );
    // Every replica must be linked before a kill, or its primary's slots would have nobody to take them.
    await waitFor(
      async () => {
        for (const n of this.nodes) {
          const info = await redisCli(n.port, 'INFO', 'replication');
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the cluster replicas to sync' },
    );
  }

  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
  }

  /** The port of the primary that serves `key` now, asked of a live node. */
  async primaryOf(key: string): Promise<number> {
    const live = this.nodes.find((n) => n.running)!;
    const slot = Number(await redisCli(live.port, 'CLUSTER', 'KEYSLOT', key));
    // CLUSTER NODES: `id ip:port@bus flags primary-id ping pong epoch link slot-range…`, one node a line.
    for (const line of (await redisCli(live.port, 'CLUSTER', 'NODES')).split('\n')) {
      const [, addr, flags, , , , , , ...ranges] = line.split(' ');
      if (!flags?.includes('master') || flags.includes('fail')) continue;
      for (const r of ranges) {
        const [start, end = start] = r.split('-').map(Number);
        if (slot >= start! && slot <= end!) return Number(addr!.split('@')[0]!.split(':')[1]);
      }
    }
    throw new Error(`no primary found for slot ${slot}`);
  }

  /** SIGKILLs a primary: the one serving `key`. */
  async killPrimaryOf(key: string): Promise<number> {
    const port = await this.primaryOf(key);
    await this.nodes.find((n) => n.port === port)!.kill();
    return port;
  }

  /** Waits until another node serves `key` as primary and the cluster is ok again. */
  async waitForFailover(key: string, old: number, timeoutMs = 30_000): Promise<number> {
    let now = old;
    await waitFor(
      async () => {
        now = await this.primaryOf(key);
        if (now === old) return false;
        return (await redisCli(now, 'CLUSTER', 'INFO')).includes('cluster_state:ok');
      },
      { timeoutMs, intervalMs: 100, what: 'a promoted replica' },
    );
    return now;
  }
}
