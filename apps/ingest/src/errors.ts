import { AppError, fromHttpError, permanent, toHttpAnswer } from '@bridge/errors';
import type { Logger } from '@bridge/logger';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** One 401 for every authentication failure, so the answer never tells which part was wrong. */
export const unauthorized = () => permanent('unauthorized', 'Missing or invalid credentials', { httpStatus: 401 });

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
    const answer = toHttpAnswer(err);
    if (!(fromHttpError(err) instanceof AppError)) {
      logger.error('unexpected error', {
        error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      });
    }
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}
