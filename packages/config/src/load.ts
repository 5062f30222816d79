import { z } from 'zod';
import { envFileHint } from './env-file';
import { redisProblems } from './redis';
import { sections, type SectionName, type Sections } from './sections';

type Shape<N extends SectionName> = Sections[N];
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
/** The typed config of an app that asked for sections N. */
export type Config<N extends SectionName> = z.output<z.ZodObject<UnionToIntersection<Shape<N>> & Shape<'core'>>>;

/** Names that never reach a log line, whatever the logger is told. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'AITABLE_API_KEY',
  'AITABLE_WEBHOOK_SECRET',
  'AUDIT_API_TOKEN',
  'MISSIONX_CLIENT_SECRET',
  'DASHBOARD_USERS',
  'METRICS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
]);

export class ConfigError extends Error {
  /** `hint` says where a missing variable could come from. */
  constructor(
    readonly problems: string[],
    hint?: string,
  ) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}${hint ? `\n${hint}` : ''}`);
    this.name = 'ConfigError';
  }
}

/** Aliases the deployment guide documents; the canonical name wins when both are set. */
const ALIASES: Record<string, string> = { NEXT_PUBLIC_APP_URL: 'APP_URL' };

/**
 * Reads and validates the variables of the given sections (plus `core`) once.
 * Throws ConfigError listing every missing or invalid variable by name; values are never echoed.
 */
export function loadConfig<N extends SectionName>(env: NodeJS.ProcessEnv, names: readonly N[]): Config<N> {
  const shape: Record<string, z.ZodType> = { ...sections.core };
  for (const n of names) Object.assign(shape, sections[n]);
  const input: Record<string, string | undefined> = {};
  for (const [alias, canonical] of Object.entries(ALIASES)) {
    if (env[canonical] === undefined && env[alias] !== undefined) input[canonical] = env[alias];
  }
  for (const key of Object.keys(shape)) {
    const v = env[key];
    // An empty variable (KEY= in a .env file) means "not set", so defaults apply.
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    let missing = false;
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      if (input[key] !== undefined) return `${key} ${i.message}`;
      missing = true;
      return `${key} is required but not set`;
    });
    throw new ConfigError(problems, missing ? envFileHint() : undefined);
  }
  const data = parsed.data as Record<string, unknown>;
  const redis = redisProblems(data as unknown as Parameters<typeof redisProblems>[0]);
  if (redis.length > 0) throw new ConfigError(redis);
  data.LOG_FORMAT ??= data.NODE_ENV === 'production' ? 'json' : 'pretty';
  return data as Config<N>;
}

/** Loads config for a process entry point; on error prints the names at fault and exits 1. */
export function loadConfigOrExit<N extends SectionName>(env: NodeJS.ProcessEnv, names: readonly N[]): Config<N> {
  try {
    return loadConfig(env, names);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable and its meaning.\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** A copy safe to log: secrets replaced by `[redacted]`. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : v]));
}
