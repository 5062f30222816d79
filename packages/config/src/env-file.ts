import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads `.env` from the working directory (or the file named by `ENV_FILE`) into `process.env`,
 * when it exists. Variables already set in the real environment win over the file, so a
 * deployment's settings are never overridden by a stray file. Called once by every entry point,
 * before its config is loaded. Returns the file read, if any.
 */
export function loadEnvFile(cwd: string = process.cwd()): string | undefined {
  const explicit = process.env.ENV_FILE;
  const file = path.resolve(cwd, explicit ?? '.env');
  if (!existsSync(file)) {
    // A named file that is missing is a mistake worth stopping for; a missing default `.env` is normal.
    if (explicit) {
      process.stderr.write(`ENV_FILE names ${file}, which does not exist.\n`);
      process.exit(1);
    }
    return undefined;
  }
  process.loadEnvFile(file);
  return file;
}
