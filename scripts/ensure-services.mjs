// Makes sure the PostgreSQL and Redis the tests use are answering; starts the local ones when
// they are installed but stopped (CI, a fresh dev machine), else says what to start.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

const targets = [
  {
    name: 'PostgreSQL',
    url: new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'),
    defaultPort: 5432,
    start: () => {
      if (!existsSync('/etc/postgresql')) return false;
      const version = readdirSync('/etc/postgresql')[0];
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'inherit' });
      return true;
    },
    hint: 'start PostgreSQL (e.g. `docker compose -f docker-compose.dev.yml up -d postgres`) or set TEST_DATABASE_URL',
  },
  {
    name: 'Redis',
    url: new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'),
    defaultPort: 6379,
    start: () => {
      execSync('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no', { stdio: 'inherit' });
      return true;
    },
    hint: 'start Redis (e.g. `docker compose -f docker-compose.dev.yml up -d redis`) or set TEST_REDIS_URL',
  },
];

const answers = (host, port) =>
  new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

let failed = false;
for (const t of targets) {
  const host = t.url.hostname || '127.0.0.1';
  const port = Number(t.url.port || t.defaultPort);
  if (await answers(host, port)) continue;
  console.log(`${t.name} is not answering on ${host}:${port}; trying to start it`);
  try {
    t.start();
  } catch (err) {
    console.log(`  could not start ${t.name}: ${err.message.split('\n')[0]}`);
  }
  let up = false;
  for (let i = 0; i < 30 && !up; i++) {
    up = await answers(host, port);
    if (!up) await new Promise((r) => setTimeout(r, 1000));
  }
  if (!up) {
    console.error(`${t.name} is not running on ${host}:${port}: ${t.hint}.`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
