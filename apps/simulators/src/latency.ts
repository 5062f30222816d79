import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';

/** Added delay of one service's answers: `ms` ± up to `jitterMs`, uniformly. */
export interface LatencySpec {
  ms: number;
  jitterMs?: number;
}

export type LatencyService = 'aitable' | 'missionx';

export const latencySchema = z.object({
  service: z.enum(['aitable', 'missionx']),
  ms: z.number().int().min(0).max(60_000),
  jitterMs: z.number().int().min(0).max(60_000).optional(),
});

/**
 * Simulated network latency, so benchmarks and tests can show latency-bound behaviour on loopback.
 * The delay comes before the request log and the rate limiter: AITable counts a request when it
 * arrives, and a client's answer can only come after that.
 */
export class LatencyBook {
  private specs: Partial<Record<LatencyService, LatencySpec>>;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly initial: Partial<Record<LatencyService, LatencySpec>> = {}) {
    this.specs = { ...initial };
  }

  set(service: LatencyService, spec: LatencySpec): void {
    this.specs[service] = spec;
  }

  get(service: LatencyService): LatencySpec {
    return this.specs[service] ?? { ms: 0 };
  }

  middleware(service: LatencyService): RequestHandler {
    return (_req, _res, next) => {
      const { ms, jitterMs = 0 } = this.get(service);
      const delay = Math.max(0, Math.round(ms + (Math.random() * 2 - 1) * jitterMs));
      if (delay === 0) return next();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        next();
      }, delay);
      this.timers.add(timer);
    };
  }

  /** Back to the start-up latency; drops the delayed requests so a closing server leaves nothing behind. */
  reset(): void {
    this.specs = { ...this.initial };
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** `PUT /__sim/latency {service, ms, jitterMs?}` and `GET /__sim/latency`. */
export function latencyRouter(book: LatencyBook): Router {
  const router = express.Router();
  router.use(express.json());
  router.put('/', (req, res) => {
    const parsed = latencySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return;
    }
    book.set(parsed.data.service, { ms: parsed.data.ms, jitterMs: parsed.data.jitterMs });
    res.status(204).end();
  });
  router.get('/', (_req, res) => {
    res.json({ aitable: book.get('aitable'), missionx: book.get('missionx') });
  });
  return router;
}
