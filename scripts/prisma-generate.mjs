// `prisma generate` needs no schema engine, but the CLI tries to download one first and
// fails where Prisma's binary host is unreachable. Pointing PRISMA_SCHEMA_ENGINE_BINARY at
// any existing file skips the download; on a connected machine this changes nothing.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const r = spawnSync('npx', ['prisma', 'generate'], { stdio: ['ignore', 'pipe', 'inherit'], env });
if (r.status !== 0) {
  process.stdout.write(r.stdout ?? '');
  process.exit(r.status ?? 1);
}
