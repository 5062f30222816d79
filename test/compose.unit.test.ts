import { sections } from '@bridge/config';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Docker has no engine on the build machines, so the stack files are checked by reading them. */
const root = path.resolve(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      profiles?: string[];
      depends_on?: Record<string, { condition: string }>;
      environment?: Record<string, string>;
      image?: string;
      init?: boolean;
    }
  >;
};
const knownVariables = new Set(Object.values(sections).flatMap((s) => Object.keys(s)));
const appServices = Object.entries(compose.services).filter(([, s]) => s.image === 'aitable-bridge:local');
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
  it('when parsed, then it has the datastores, a migration step, ingest, workers, dashboard and demo simulators', () => {
    const names = Object.keys(compose.services);
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', 'ingest', 'dashboard', 'simulators']));
    const workerQueues = Object.values(compose.services)
      .map((s) => s.environment?.WORKER_QUEUES)
      .filter(Boolean);
    expect(workerQueues.sort()).toEqual(['audit-results', 'leads', 'orders']);
    expect(compose.services.simulators?.profiles).toEqual(['demo']);
  });

  it('when Redis starts, then every acknowledged write is fsynced to its AOF and no job is ever evicted', () => {
    const cmd = compose.services.redis?.command?.join(' ') ?? '';
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync always');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });

  it('when an app service starts, then migrations have completed and the datastores are healthy', () => {
    for (const [name, s] of appServices) {
      if (name === 'migrate' || s.profiles?.includes('demo')) continue;
      expect([name, s.depends_on?.migrate?.condition]).toEqual([name, 'service_completed_successfully']);
      expect([name, s.depends_on?.redis?.condition]).toEqual([name, 'service_healthy']);
    }
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('when an app service starts, then node runs a compiled entry point of the image under an init', () => {
    expect(appServices.map(([name]) => name)).toEqual(expect.arrayContaining(['migrate', 'ingest', 'dashboard', 'simulators']));
    for (const [name, s] of appServices) {
      expect([name, entryProblem(s.command), s.init]).toEqual([name, undefined, true]);
    }
  });

  it('when a service sets a variable, then the config schema knows it', () => {
    const unknown = appServices.flatMap(([name, s]) =>
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
    services: Record<string, { environment?: Record<string, string>; ports?: string[] }>;
  };
  const example = Object.fromEntries(
    readFileSync(path.join(root, '.env.example'), 'utf8')
      .split('\n')
      .map((l) => l.match(/^([A-Z0-9_]+)=(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );

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
