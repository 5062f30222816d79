import { sections } from '@bridge/config';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Docker has no engine on the build machines, so the stack files are checked by reading them. */
const root = path.resolve(__dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; profiles?: string[]; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; image?: string }>;
};
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const knownVariables = new Set(Object.values(sections).flatMap((s) => Object.keys(s)));
const appServices = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'npm');

describe('docker-compose.yml', () => {
  it('when parsed, then it has the datastores, a migration step, ingest, workers, dashboard and demo simulators', () => {
    const names = Object.keys(compose.services);
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', 'ingest', 'dashboard', 'simulators']));
    const workerQueues = Object.values(compose.services).map((s) => s.environment?.WORKER_QUEUES).filter(Boolean);
    expect(workerQueues.sort()).toEqual(['audit-results', 'leads', 'orders']);
    expect(compose.services.simulators?.profiles).toEqual(['demo']);
  });

  it('when Redis starts, then it keeps an fsync-every-second AOF and never evicts jobs', () => {
    const cmd = compose.services.redis?.command?.join(' ') ?? '';
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync everysec');
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

  it('when a service runs an npm script, then the script exists', () => {
    for (const [name, s] of appServices) {
      expect([name, s.command?.[1], s.command?.[2] && s.command[2] in scripts]).toEqual([name, 'run', true]);
    }
  });

  it('when a service sets a variable, then the config schema knows it', () => {
    const unknown = appServices.flatMap(([name, s]) =>
      Object.keys(s.environment ?? {}).filter((k) => !knownVariables.has(k) && !k.startsWith('SIMULATORS_')).map((k) => `${name}.${k}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('when built, then it uses a build stage and a separate non-root runtime stage', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/COPY --from=build/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci/);
  });

  it('when it copies sources, then every path exists in the repository', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });
});
