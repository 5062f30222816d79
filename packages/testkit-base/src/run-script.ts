import { execFile } from 'node:child_process';
import path from 'node:path';

/** The repository root, where `node_modules/.bin/tsx` and the tsconfig that maps `@bridge/*` to source live. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript entry point (a CLI, a server's main) in its own process with tsx, as a
 * person runs it: stdin closed (not a terminal), only the given environment, from `cwd`. The
 * repo's tsconfig is named, so workspaces resolve to their source from any folder, built or not.
 */
export function runScript(
  file: string,
  args: readonly string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ScriptRun> {
  const tsx = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
  const argv = ['--tsconfig', path.join(REPO_ROOT, 'tsconfig.json'), path.resolve(REPO_ROOT, file), ...args];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  return new Promise((resolve) => {
    const child = execFile(tsx, argv, { cwd: opts.cwd ?? REPO_ROOT, env, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}
