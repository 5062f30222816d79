import type { RequestHandler } from 'express';

export type GaugedService = 'aitable' | 'missionx';

/** Requests of one service being handled now, and the most at once since the last reset. */
export interface InFlight {
  now: number;
  max: number;
}

/**
 * Counts each service's requests from arrival (before the simulated latency) until the answer is
 * sent or the client goes away, so a test can see how many a client had open at once.
 */
export class InFlightGauge {
  private counts: Record<GaugedService, InFlight> = { aitable: { now: 0, max: 0 }, missionx: { now: 0, max: 0 } };

  middleware(service: GaugedService): RequestHandler {
    return (_req, res, next) => {
      const c = this.counts[service];
      c.now++;
      c.max = Math.max(c.max, c.now);
      // 'close' comes once per request, answered or abandoned.
      res.once('close', () => this.counts[service].now--);
      next();
    };
  }

  read(): Record<GaugedService, InFlight> {
    return { aitable: { ...this.counts.aitable }, missionx: { ...this.counts.missionx } };
  }

  /** The maxima start again from the requests open now. */
  reset(): void {
    for (const c of Object.values(this.counts)) c.max = c.now;
  }
}
