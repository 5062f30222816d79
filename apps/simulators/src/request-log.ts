import type { RequestHandler } from 'express';
import type { SimRequest } from './types';

export interface RequestFilter {
  service?: SimRequest['service'];
  method?: string;
  pathIncludes?: string;
}

/** Every API request received, in order of arrival (control calls are not in it). */
export class RequestLog {
  private entries: SimRequest[] = [];

  /** @param onAnswered called with each request once it is answered (for a live log). */
  constructor(private readonly onAnswered?: (entry: SimRequest) => void) {}

  /** Logs on arrival (status 0) and fills in the status once answered, so hung requests show too. */
  middleware(service: SimRequest['service']): RequestHandler {
    return (req, res, next) => {
      const path = req.originalUrl.split('?')[0] ?? '';
      const entry: SimRequest = {
        service,
        method: req.method,
        path,
        query: { ...(req.query as Record<string, unknown>) },
        body: undefined,
        status: 0,
        at: Date.now(),
      };
      const datasheetId = /\/v1\/datasheets\/([^/]+)/.exec(path)?.[1];
      if (service === 'aitable' && datasheetId) entry.datasheetId = decodeURIComponent(datasheetId);
      this.entries.push(entry);
      res.locals.simRequest = entry;
      // Recorded when the answer is ended, not on 'finish': a request answered after its client
      // gave up (a hang fault) never finishes, yet it was answered and took effect.
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
      res.end = ((...args: unknown[]) => {
        entry.status = res.statusCode;
        this.onAnswered?.(entry);
        return end(...args);
      }) as typeof res.end;
      next();
    };
  }

  /** Runs after the body parsers: records the parsed body. */
  readonly captureBody: RequestHandler = (req, res, next) => {
    const entry = res.locals.simRequest as SimRequest | undefined;
    if (entry) entry.body = req.body;
    next();
  };

  list(filter: RequestFilter = {}): SimRequest[] {
    return this.entries.filter(
      (e) =>
        (!filter.service || e.service === filter.service) &&
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.pathIncludes || e.path.includes(filter.pathIncludes)),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
