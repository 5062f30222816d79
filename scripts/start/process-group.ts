import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const COLORS = [36, 35, 33, 32, 34];

/** Child processes with labelled, coloured output; one failing stops them all. */
export class ProcessGroup {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Runs a TypeScript entry point with tsx directly (not through npm), so signals reach it. */
  start(label: string, entry: string): void {
    const color = COLORS[this.children.size % COLORS.length];
    const tag = process.stdout.isTTY ? `\x1b[${color}m${label.padEnd(10)}\x1b[0m|` : `${label.padEnd(10)}|`;
    const tsx = path.join(this.cwd, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [entry], { cwd: this.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${line}\n`));
    }
    child.once('exit', (code, signal) => {
      this.children.delete(label);
      if (this.stopping) return;
      console.error(`${label} exited (${signal ?? `code ${code}`}); stopping the others`);
      void this.stop().then(() => process.exit(1));
    });
    this.children.set(label, child);
  }

  async waitForHttp(label: string, url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.children.has(label)) throw new Error(`${label} exited before it was ready`);
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${label} was not ready at ${url} within ${timeoutMs / 1000}s`);
  }

  /** SIGTERM to every child (each drains its own work), then wait for all to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of this.children.values()) c.kill('SIGTERM');
    await Promise.all(exits);
  }
}
