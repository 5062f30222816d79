import IORedis, { type Redis } from 'ioredis';
import { AitableClient, type AitableClientOptions, type AitableOperation, type RateLimitWaitCause } from '@bridge/aitable';
import { startSimulators, type RunningSimulators } from '@bridge/simulators';
import { TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit-base';

export { maxPerSecond } from '@bridge/testkit-base';

export const API_KEY = 'sim-aitable-key';
export const LEADS = 'dstLeadsSim';
export const ORDERS = 'dstOrdersSim';
export const AUDIT = 'dstAuditSim';
const UNTHROTTLED = 200;

/** What a client's hooks saw, for assertions. */
export interface Observed {
  calls: { operation: AitableOperation; status: string }[];
  waits: { datasheetId: string; cause: RateLimitWaitCause; ms: number }[];
  errorAnswers: { datasheetId: string; code: number }[];
}

/** One simulator and one Redis connection per test file; clients built with test-friendly defaults. */
export class AitableHarness {
  sim!: RunningSimulators;
  redis!: Redis;
  /** The limiter prefix of this file; two clients built with it share one limit, as two processes would. */
  readonly prefix = uniquePrefix('aitable-rl');

  async start(): Promise<void> {
    this.sim = await startSimulators();
    this.redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  }

  async stop(): Promise<void> {
    await this.redis?.quit();
    await this.sim?.close();
  }

  /** Back to the seeds, with a limit high enough that tests not about rate limiting never wait. */
  async resetUnthrottled(): Promise<void> {
    await this.sim.control.reset();
    await this.sim.control.setRateLimit(UNTHROTTLED);
  }

  /** A client for tests not about rate limiting (pair with `resetUnthrottled`). */
  fastClient(over: Partial<AitableClientOptions> = {}): { client: AitableClient; seen: Observed } {
    return this.client({ rateLimitPerSecond: UNTHROTTLED, ...over });
  }

  /** Leads typed in as a user would (no request logged, no rate limit); answers their recordIds. */
  async seedLeads(n: number, fields: (i: number) => Record<string, unknown> = (i) => ({ 'Client Name': `Lead ${i}` })): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await this.sim.control.addRecord(LEADS, fields(i))).recordId);
    return ids;
  }

  client(over: Partial<AitableClientOptions> = {}): { client: AitableClient; seen: Observed } {
    const seen: Observed = { calls: [], waits: [], errorAnswers: [] };
    const client = new AitableClient({
      baseUrl: this.sim.aitableBaseUrl,
      apiKey: API_KEY,
      redis: this.redis,
      rateLimitPrefix: this.prefix,
      timeoutMs: 5000,
      throttleBackoffMs: 50,
      hooks: {
        onCall: (operation, status) => seen.calls.push({ operation, status }),
        onRateLimitWait: (datasheetId, cause, ms) => seen.waits.push({ datasheetId, cause, ms }),
        onErrorAnswer: (datasheetId, code) => seen.errorAnswers.push({ datasheetId, code }),
      },
      ...over,
    });
    return { client, seen };
  }
}

/** The rejection of a promise that must fail (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
