import { loadConfig, sections, type SectionName } from '@bridge/config';
import { DASHBOARD_SECTIONS } from '@bridge/dashboard';
import { INGEST_SECTIONS } from '@bridge/ingest';
import { WORKER_SECTIONS } from '@bridge/worker';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Docker has no engine on the build machines, so the stack files are checked by reading them. */
const root = path.resolve(__dirname, '..');
interface Service {
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  image?: string;
  init?: boolean;
  ports?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
}
type ComposeFile = { services: Record<string, Service> };
/** `${VAR-default}` / `${VAR:-default}` as Compose reads them with VAR unset (no .env beside the files here). */
const withDefaults = (text: string) => text.replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, '$1');
const read = (file: string) => parse(withDefaults(readFileSync(path.join(root, file), 'utf8')), { merge: true }) as ComposeFile;
const compose = read('docker-compose.yml');
const demoOverlay = read('docker-compose.demo.yml');
/** `docker compose -f docker-compose.yml -f docker-compose.demo.yml`: maps (environment, depends_on) merge by key, the rest is replaced. */
const demo: ComposeFile = { services: { ...compose.services } };
for (const [name, over] of Object.entries(demoOverlay.services)) {
  const base = compose.services[name] ?? {};
  demo.services[name] = {
    ...base,
    ...over,
    environment: { ...base.environment, ...over.environment },
    depends_on: { ...base.depends_on, ...over.depends_on },
  };
}
const knownVariables = new Set(Object.values(sections).flatMap((s) => Object.keys(s)));
const appServices = Object.entries(compose.services).filter(([, s]) => s.image === 'aitable-bridge:local');
const demoAppServices = Object.entries(demo.services).filter(([, s]) => s.image === 'aitable-bridge:local');
const workers = Object.entries(compose.services).filter(([, s]) => s.environment?.WORKER_QUEUES);
/** Compose durations as the files write them (`40s`, `1m30s`), in ms. */
const durationMs = (d: string | undefined) =>
  [...(d ?? '10s').matchAll(/(\d+)(ms|s|m)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * { ms: 1, s: 1000, m: 60_000 }[unit!]!, 0);
/** The GET a healthcheck makes, as `port/path`. */
const probed = (s: Service | undefined) => /http:\/\/127\.0\.0\.1:(\d+\/\S+?)'/.exec(s?.healthcheck?.test.join(' ') ?? '')?.[1];
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

/** Why `command` (a compiled entry point) is not runnable from the image, or undefined when it is. */
function entryProblem(command: string[] | undefined): string | undefined {
  const [bin, entry, ...rest] = command ?? [];
  if (bin !== 'node' || rest.length) return `runs ${JSON.stringify(command)}, not node <entry>`;
  if (!/^(apps|packages)\/[^/]+\/dist\/.+\.js$/.test(entry ?? '')) return `${entry} is not a compiled dist/ entry`;
  const source = entry!.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
  return existsSync(path.join(root, source)) ? undefined : `${source} does not exist`;
}

describe('docker-compose.yml', () => {
  it('when parsed, then it has the datastores, a migration step, ingest, workers and dashboard; the demo adds the simulators', () => {
    const names = Object.keys(compose.services);
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', 'ingest', 'dashboard']));
    expect(names).not.toContain('simulators');
    expect(workers.map(([, s]) => s.environment!.WORKER_QUEUES).sort()).toEqual(['audit-results', 'leads', 'orders']);
    expect(Object.keys(demo.services)).toContain('simulators');
  });

  it('when published, then only ingest listens on every interface; the dashboard is private (runbook §1)', () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name).sort()).toEqual(['dashboard', 'ingest']);
    expect(compose.services.dashboard?.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    expect(demo.services.simulators?.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('when stopped, then ingest and every worker get longer than SHUTDOWN_TIMEOUT_MS before Docker kills them', () => {
    for (const [name, s] of [['ingest', compose.services.ingest!] as const, ...workers]) {
      // The service's own value (its environment, else the schema's default).
      const shutdownMs = loadConfig(s.environment ?? {}, []).SHUTDOWN_TIMEOUT_MS;
      expect([name, durationMs(s.stop_grace_period) > shutdownMs]).toEqual([name, true]);
    }
  });

  it('when running, then ingest, each worker and the dashboard have a healthcheck on an endpoint they serve', () => {
    expect(probed(compose.services.ingest)).toBe(`${compose.services.ingest?.environment?.INGEST_PORT}/readyz`);
    expect(probed(compose.services.dashboard)).toBe(`${compose.services.dashboard?.environment?.DASHBOARD_PORT}/healthz`);
    for (const [name, s] of workers) expect([name, probed(s)]).toEqual([name, `${s.environment?.WORKER_METRICS_PORT}/healthz`]);
    expect(probed(demo.services.simulators)).toBe(`${demo.services.simulators?.environment?.SIMULATORS_PORT}/__sim/health`);
  });

  it('when it reads .env with `required:`, then the README and runbook say Compose 2.24 is needed', () => {
    const silent = ['README.md', 'docs/runbook.md'].filter((doc) => !readFileSync(path.join(root, doc), 'utf8').includes('Compose 2.24'));
    expect(silent).toEqual([]);
  });

  it('when Redis starts, then every acknowledged write is fsynced to its AOF and no job is ever evicted', () => {
    const cmd = compose.services.redis?.command?.join(' ') ?? '';
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync always');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });

  it('when an app service starts, then migrations have completed and the datastores are healthy', () => {
    for (const [name, s] of appServices) {
      if (name === 'migrate') continue;
      expect([name, s.depends_on?.migrate?.condition]).toEqual([name, 'service_completed_successfully']);
      expect([name, s.depends_on?.redis?.condition]).toEqual([name, 'service_healthy']);
    }
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('when an app service starts, then node runs a compiled entry point of the image under an init', () => {
    expect(demoAppServices.map(([name]) => name)).toEqual(expect.arrayContaining(['migrate', 'ingest', 'dashboard', 'simulators']));
    for (const [name, s] of demoAppServices) {
      expect([name, entryProblem(s.command), s.init]).toEqual([name, undefined, true]);
    }
  });

  it('when the demo starts, then every app service waits for healthy simulators and has every variable it needs set', () => {
    const sectionsOf = (s: Service): readonly SectionName[] => {
      const entry = s.command?.[1] ?? '';
      if (entry.includes('apps/ingest/')) return INGEST_SECTIONS;
      if (entry.includes('apps/worker/')) return WORKER_SECTIONS;
      if (entry.includes('apps/dashboard/')) return DASHBOARD_SECTIONS;
      return [];
    };
    for (const [name, s] of demoAppServices) {
      if (name === 'simulators' || name === 'migrate') continue;
      expect([name, s.depends_on?.simulators?.condition]).toEqual([name, 'service_healthy']);
      // Nothing comes from .env: the demo's variables alone must pass the service's own config check.
      let problem: string | undefined;
      try {
        loadConfig(s.environment ?? {}, sectionsOf(s));
      } catch (err) {
        problem = String(err);
      }
      expect([name, problem]).toEqual([name, undefined]);
    }
  });

  it('when a service sets a variable, then the config schema knows it', () => {
    const unknown = demoAppServices.flatMap(([name, s]) =>
      Object.keys(s.environment ?? {})
        .filter((k) => !knownVariables.has(k) && !k.startsWith('SIMULATORS_'))
        .map((k) => `${name}.${k}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const runtimeStage = dockerfile.slice(dockerfile.search(/^FROM .* AS runtime$/m));

  it('when built, then it uses a build stage and a separate non-root runtime stage with production dependencies only', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(runtimeStage).toMatch(/^COPY --from=build /m);
    expect(runtimeStage).toMatch(/^USER node$/m);
    expect(runtimeStage).toMatch(/npm ci --omit=dev/);
    expect(runtimeStage).not.toMatch(/tsx|npm run/);
  });

  it('when the container starts, then node itself runs a compiled entry point (so SIGTERM reaches it)', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtimeStage)?.[1] ?? 'null') as string[] | null;
    expect(entryProblem(cmd ?? undefined)).toBeUndefined();
  });

  it('when it copies sources, then every path exists in the repository', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });
});

describe('docker-compose.dev.yml', () => {
  const dev = parse(readFileSync(path.join(root, 'docker-compose.dev.yml'), 'utf8')) as {
    services: Record<string, { environment?: Record<string, string>; ports?: string[]; command?: string[] }>;
  };
  const example = Object.fromEntries(
    readFileSync(path.join(root, '.env.example'), 'utf8')
      .split('\n')
      .map((l) => l.match(/^([A-Z0-9_]+)=(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );

  it('when Redis starts, then it has the same durability as production (AOF fsynced on every write, no eviction)', () => {
    expect(dev.services.redis?.command).toEqual(compose.services.redis?.command);
  });

  it('when started, then Redis and PostgreSQL answer on localhost exactly where .env.example points, with its credentials', () => {
    const redisUrl = new URL(example.REDIS_URL!);
    const pgUrl = new URL(example.DATABASE_URL!);
    expect(dev.services.redis?.ports).toEqual([`127.0.0.1:${redisUrl.port || 6379}:6379`]);
    expect(dev.services.postgres?.ports).toEqual([`127.0.0.1:${pgUrl.port || 5432}:5432`]);
    const pg = dev.services.postgres?.environment ?? {};
    expect([pg.POSTGRES_USER, pg.POSTGRES_DB]).toEqual([pgUrl.username, pgUrl.pathname.slice(1)]);
    // .env.example gives no password, so the server must not ask for one.
    expect([pgUrl.password, pg.POSTGRES_HOST_AUTH_METHOD]).toEqual(['', 'trust']);
  });
});
