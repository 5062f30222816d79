import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
