import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { faultMiddleware, type ErrorWriter, type FaultBook } from '../faults';
import type { RequestLog } from '../request-log';
import { EnvelopeError, sendError } from './envelope';
import { recordHandlers } from './handlers';
import type { SlidingWindowLimiter } from './rate-limit';
import type { AitableStore } from './store';

export interface AitableDeps {
  store: AitableStore;
  limiter: SlidingWindowLimiter;
  apiKeys: ReadonlySet<string>;
  faults: FaultBook;
  log: RequestLog;
}

const writeEnvelope: ErrorWriter = (res, httpStatus, code, message) => {
  res.status(httpStatus).json({ success: false, code, message });
};

/** The AITable REST API, mounted under `/fusion`. */
export function aitableRouter(deps: AitableDeps): Router {
  const router = express.Router();
  const records = recordHandlers(deps.store);
  router.use(deps.log.middleware('aitable'));
  router.use(express.json({ limit: '10mb' }));
  router.use(deps.log.captureBody);
  router.use(faultMiddleware('aitable', deps.faults, writeEnvelope));
  router.use(authAndRateLimit(deps));
  const path = '/v1/datasheets/:datasheetId/records';
  router.get(path, records.list);
  router.post(path, records.create);
  // AITable gives PUT the same meaning as PATCH.
  router.patch(path, records.update);
  router.put(path, records.update);
  router.delete(path, records.remove);
  router.get('/v1/datasheets/:datasheetId/fields', records.fields);
  router.use((req, res) => writeEnvelope(res, 404, 404, `no such API route: ${req.method} ${req.originalUrl.split('?')[0]}`));
  router.use(envelopeErrors);
  return router;
}

function authAndRateLimit(deps: AitableDeps): RequestHandler {
  return (req, res, next) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
    if (!token || !deps.apiKeys.has(token)) return writeEnvelope(res, 401, 401, 'Unauthorized');
    const datasheetId = /^\/v1\/datasheets\/([^/]+)/.exec(req.path)?.[1];
    // AITable answers 429 without a Retry-After header: clients must choose their own backoff.
    if (datasheetId && !deps.limiter.tryTake(`${token}\n${datasheetId}`)) {
      return writeEnvelope(res, 429, 429, `Too many requests: the limit is ${deps.limiter.perSecond} per second per datasheet`);
    }
    next();
  };
}

const envelopeErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof EnvelopeError) return sendError(res, err);
  // Body parser errors (malformed JSON, too large) are parameter errors in AITable's terms.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status < 500) return writeEnvelope(res, 200, 400, `invalid request body: ${(err as Error).message}`);
  return writeEnvelope(res, 500, 500, `simulator error: ${(err as Error).message}`);
};
