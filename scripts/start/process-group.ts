import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { explainListenFailure } from './ports';

const COLORS = [36, 35, 33, 32, 34];

/** Lines of a child's output kept to explain its exit. */
const TAIL_LINES = 40;

/** Child processes with labelled, coloured output; one failing stops them all. */
export class ProcessGroup {
  private readonly children = new Map<string, ChildProcess>();
  private stopping?: Promise<void>;
  private failed?: (reason: string) => void;
  /**
   * Settles with the first child that exits on its own (the others are then stopped), naming it
   * and, when its output shows a port clash, the port's variable: while starting, the process
   * that did not come up is often another one, stopped because of it.
   */
  readonly failure = new Promise<string>((resolve) => {
    this.failed = resolve;
  });

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
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        process.stdout.write(`${tag} ${line}\n`);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      });
    }
    child.once('exit', (code, signal) => {
      this.children.delete(label);
      if (this.stopping) return;
      // The output streams may still hold the last lines; they end before 'close'.
      child.once('close', () => {
        const how = `${label} exited (${signal ?? `code ${code}`})`;
        const why = explainListenFailure(label, tail, this.env);
        this.failed?.(why ? `${how}: ${why}` : `${how}; its last lines are above`);
        void this.stop();
      });
    });
    this.children.set(label, child);
  }

  async waitForHttp(label: string, url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.children.has(label)) return this.failure.then((reason) => Promise.reject(new Error(reason)));
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
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const exits = [...this.children.values()].map((c) => new Promise((r) => c.once('exit', r)));
      for (const c of this.children.values()) c.kill('SIGTERM');
      await Promise.all(exits);
    })();
    return this.stopping;
  }
}
