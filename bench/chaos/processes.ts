import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** One bridge process (ingest or worker) as it runs in production: its own node, its own env. */
export class BridgeProcess {
  private child?: ChildProcess;
  private exits = 0;

  constructor(
    readonly label: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly healthUrl: string,
    private readonly log: WriteStream,
  ) {}

  /** node with tsx as a loader (not the tsx wrapper): a SIGKILL must hit the process itself. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const tag = `${this.label}#${++this.exits}| `;
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.log.write(prefixLines(tag, chunk)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.label} exited with ${child.exitCode} before it was ready (see the chaos log)`);
      if (
        await fetch(this.healthUrl).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.label} was not ready at ${this.healthUrl} within 60 s`);
  }

  /** SIGKILL: no shutdown, no lock released, whatever was in flight is abandoned. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the process drains its own work and exits. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

export function openLog(file: string): WriteStream {
  return createWriteStream(file, { flags: 'w' });
}

function prefixLines(tag: string, chunk: Buffer): string {
  return chunk
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `${tag}${l}\n`)
    .join('');
}
