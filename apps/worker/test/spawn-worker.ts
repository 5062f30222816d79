import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@bridge/testkit';

const ROOT = path.resolve(__dirname, '../../..');

/** `npm run start:worker` as a real process, with its JSON log lines collected. */
export interface WorkerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves once the worker logged that it started. */
  ready(): Promise<void>;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  // node itself with tsx as a loader (not the tsx wrapper, which runs node as a grandchild):
  // a SIGKILL must hit the worker process itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ message: p });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    ready: () =>
      waitFor(() => lines.some((l) => l.message === 'worker started') || child.exitCode !== null, {
        timeoutMs: 30_000,
        what: 'the worker process to start',
      }).then(() => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${stderr.join('')}`);
      }),
  };
}
