import type { RequestHandler, Response } from 'express';
import type { ActiveFault, FaultSpec } from './types';

/** Injected faults, matched in the order they were added; each answers its next `count` matches. */
export class FaultBook {
  private faults: ActiveFault[] = [];
  /** Requests a `hang` with `hangMs` holds, each with what answers it. */
  private readonly held = new Map<NodeJS.Timeout, () => void>();

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count });
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(service: FaultSpec['service'], method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        f.service === service &&
        (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
        (!f.pathIncludes || path.includes(f.pathIncludes)),
    );
    if (!fault) return undefined;
    fault.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fault;
  }

  /** Delays a request; the timer is dropped by `clear()` so a closing server leaves nothing behind. */
  delay(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.held.delete(timer);
      fn();
    }, ms);
    this.held.set(timer, fn);
  }

  /** Answers now every request a `hang` with `hangMs` holds, as when its time runs out; answers how many. */
  release(): number {
    const now = [...this.held];
    this.held.clear();
    for (const [timer, fn] of now) {
      clearTimeout(timer);
      fn();
    }
    return now.length;
  }

  /** The faults with uses left, in matching order. */
  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Drops the faults not yet used; requests already held by a `hang` still get their answer. */
  discard(): void {
    this.faults = [];
  }

  /** Drops the faults and the pending `hang` timers (reset, close). */
  clear(): void {
    this.discard();
    for (const t of this.held.keys()) clearTimeout(t);
    this.held.clear();
  }
}

/** How a service writes an error body: AITable's envelope or MissionX's `{message, code, data}`. */
export type ErrorWriter = (res: Response, httpStatus: number, code: number, message: string, data?: Record<string, unknown>) => void;

/**
 * Answers a request with the next matching fault, before auth and rate limiting.
 * `hang` with `hangMs` handles the request normally afterwards (it takes effect even if the client
 * gave up, as on a slow real server); without `hangMs` it never answers.
 */
export function faultMiddleware(service: FaultSpec['service'], book: FaultBook, writeError: ErrorWriter): RequestHandler {
  return (req, res, next) => {
    const fault = book.take(service, req.method, req.originalUrl.split('?')[0] ?? '');
    if (!fault) return next();
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 500;
        return writeError(res, status, fault.code ?? status, fault.message ?? `simulated HTTP ${status}`);
      }
      case 'rate_limit':
        return writeError(res, 429, 429, fault.message ?? 'Too many requests, please try again later');
      case 'envelope_error':
        return writeError(res, 200, fault.code ?? 500, fault.message ?? 'simulated server error');
      case 'hang':
        if (fault.hangMs !== undefined) book.delay(fault.hangMs, () => next());
        return undefined;
      case 'cut_after':
        cutInsteadOfAnswering(res);
        return next();
      case 'body':
        // A body of another shape than documented (a bare array, a proxy's HTML page): does the client read it as data?
        if (typeof fault.body === 'string')
          return void res
            .status(fault.status ?? 200)
            .type('text/html')
            .send(fault.body);
        return void res.status(fault.status ?? 200).json(fault.body);
    }
  };
}

/**
 * Lets the route handle the request, then destroys the socket when the answer would be sent:
 * the client sees a reset connection although the request took effect (a lost answer). The
 * request log still records the status the route chose.
 */
function cutInsteadOfAnswering(res: Response): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    res.socket?.destroy();
    return end(...args);
  }) as typeof res.end;
}
