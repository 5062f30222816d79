import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitForPort } from '@bridge/testkit';

/**
 * A Redis of the chaos run's own, configured like production (AOF, fsync on every write,
 * noeviction), in a temp dir, so it can be SIGKILLed without touching the shared Redis.
 */
export class PrivateRedis {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-'));
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always'];
    const child = spawn('redis-server', [...args, '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    this.child = child;
    await waitForPort(this.port, 10_000, 'the private redis-server');
  }

  /** SIGKILL: no shutdown save, only what the AOF already holds survives. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A TCP proxy in front of the shared PostgreSQL: `cut()` drops every open connection and
 * refuses new ones until `restore()`, which is Postgres being away for the bridge without
 * stopping a server other people use.
 */
export class PgProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  private server?: net.Server;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
