import { AppError, permanent, toHttpAnswer } from '@bridge/errors';
import type { Logger } from '@bridge/logger';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** One 401 for every authentication failure, so the answer never tells which part was wrong. */
export const unauthorized = () => permanent('unauthorized', 'Missing or invalid credentials', { httpStatus: 401 });

interface HttpError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
}

/**
 * Errors raised by Express and body-parser (http-errors with a 4xx status) become AppErrors,
 * so the one error middleware maps everything. Anything else is left alone: a 500.
 */
export function normalizeError(err: unknown, bodyLimit?: number): unknown {
  if (err instanceof AppError || typeof err !== 'object' || err === null) return err;
  const e = err as HttpError;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return err;
  if (e.type === 'entity.too.large') {
    return permanent('body_too_large', `Body larger than the limit${bodyLimit ? ` of ${bodyLimit} bytes` : ''}`, { httpStatus: 413 });
  }
  if (e.type === 'encoding.unsupported') return permanent('unsupported_media_type', 'Unsupported content encoding', { httpStatus: 415 });
  const message = e.expose === true && typeof e.message === 'string' ? e.message : 'Bad request';
  return permanent('bad_request', message, { httpStatus: status });
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(permanent('not_found', `No route for ${req.method} ${req.path.slice(0, 200)}`, { httpStatus: 404 }));
};

/** The one place ingest turns an error into an answer. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const normalized = normalizeError(err);
    const answer = toHttpAnswer(normalized);
    if (!(normalized instanceof AppError)) {
      logger.error('unexpected error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    }
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}
