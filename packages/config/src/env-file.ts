import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The Node versions this repository runs on (package.json `engines` says the same; a unit test
 * keeps them equal): `@prisma/client` and the prisma CLI need ^20.19 || ^22.12 || >=24, eslint
 * ^22.13 on the 22 line, and `process.loadEnvFile` (below) needs 20.12.
 */
export const SUPPORTED_NODE = '^20.19 || ^22.13 || >=24';

/** Whether a Node version (`process.versions.node`) is in SUPPORTED_NODE. */
export function nodeVersionSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24;
}

/** The file `npm start` writes in demo mode, naming the stack it started (see loadEnvFile). */
export const DEMO_ENV_FILE = '.env.demo';

const filesRead: string[] = [];

/**
 * Reads `.env` from the working directory (or the file named by `ENV_FILE`) into `process.env`,
 * when it exists. Variables already set in the real environment win over the file, so a
 * deployment's settings are never overridden by a stray file. Called once by every entry point,
 * before its config is loaded; it first stops a Node older than SUPPORTED_NODE with a message
 * saying so, instead of a missing function later. Returns the files read.
 *
 * With `demo` (the operator CLIs: replay, reconcile, send-webhook, db:migrate), `.env.demo` is
 * read after `.env`, so each variable comes from the real environment, else `.env`, else
 * `.env.demo`: the CLIs reach the stack `npm start` runs in demo mode without sourcing anything,
 * and `.env` still overrides it. The servers never read it: a demo file must not configure one.
 */
export function loadEnvFile(cwd: string = process.cwd(), opts: { demo?: boolean } = {}): string[] {
  if (!nodeVersionSupported(process.versions.node)) {
    process.stderr.write(`Node ${process.versions.node} is not supported: aitable-bridge needs Node ${SUPPORTED_NODE}.\n`);
    process.exit(1);
  }
  const explicit = process.env.ENV_FILE;
  const file = path.resolve(cwd, explicit ?? '.env');
  const files: string[] = [];
  if (existsSync(file)) files.push(file);
  else if (explicit) {
    // A named file that is missing is a mistake worth stopping for; a missing default `.env` is normal.
    process.stderr.write(`ENV_FILE names ${file}, which does not exist.\n`);
    process.exit(1);
  }
  const demo = path.resolve(cwd, DEMO_ENV_FILE);
  if (opts.demo && !explicit && existsSync(demo)) files.push(demo);
  // process.loadEnvFile never overwrites a variable already set, so the order above is the precedence.
  for (const f of files) process.loadEnvFile(f);
  filesRead.push(...files);
  return files;
}

/** Where a missing variable could come from, for the message that names it. */
export function envFileHint(): string {
  const read = filesRead.length ? `Read ${filesRead.map((f) => path.basename(f)).join(' and ')}.` : 'No .env file was read.';
  return (
    `${read} Set it in the environment or in .env in the working directory (see .env.example), ` +
    `or run \`npm start\` first: in demo mode it writes ${DEMO_ENV_FILE}, which the npm run CLIs read.`
  );
}
