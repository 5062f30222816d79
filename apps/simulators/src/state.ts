import { SlidingWindowLimiter } from './aitable/rate-limit';
import { defaultDatasheets } from './aitable/seeds';
import { AitableStore } from './aitable/store';
import { FaultBook } from './faults';
import { InFlightGauge } from './in-flight';
import { LatencyBook } from './latency';
import { MissionxStore } from './missionx/store';
import { RequestLog } from './request-log';
import type { SimulatorOptions } from './types';

/** Everything the simulators hold in memory, shared by the API routes and the control API. */
export class SimState {
  readonly aitable: AitableStore;
  readonly limiter: SlidingWindowLimiter;
  readonly apiKeys: ReadonlySet<string>;
  readonly missionx: MissionxStore;
  readonly faults = new FaultBook();
  readonly latency: LatencyBook;
  readonly inFlight = new InFlightGauge();
  readonly log: RequestLog;
  private readonly initialRateLimit: number;

  constructor(opts: SimulatorOptions = {}) {
    this.log = new RequestLog(opts.onRequest);
    this.latency = new LatencyBook(opts.latency);
    this.apiKeys = new Set(opts.aitable?.apiKeys ?? ['sim-aitable-key']);
    this.initialRateLimit = opts.aitable?.rateLimitPerSecond ?? 5;
    this.limiter = new SlidingWindowLimiter(this.initialRateLimit);
    this.aitable = new AitableStore(opts.aitable?.datasheets ?? defaultDatasheets());
    this.missionx = new MissionxStore({
      clientId: opts.missionx?.clientId ?? 'sim-client',
      clientSecret: opts.missionx?.clientSecret ?? 'sim-secret',
      orgId: opts.missionx?.orgId ?? 'sim-org',
      // MissionX documents tokens that last 4 hours.
      tokenTtlSeconds: opts.missionx?.tokenTtlSeconds ?? 4 * 3600,
      seedClients: opts.missionx?.seedClients ?? 0,
    });
  }

  /** Records, requests, faults, latency, in-flight maxima, MissionX clients and the rate limit back to how they started. */
  reset(): void {
    this.aitable.reset();
    this.inFlight.reset();
    this.limiter.clear();
    this.limiter.perSecond = this.initialRateLimit;
    this.faults.clear();
    this.latency.reset();
    this.log.clear();
    this.missionx.reset();
  }
}
