import { withLogContext } from '@bridge/logger';
import { LIMITS } from '@bridge/queues';
import type { RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';

const SANE_ID = new RegExp(`^[A-Za-z0-9._:\\-]{1,${LIMITS.requestIdLength}}$`);

/**
 * Takes the caller's X-Request-Id when it is a sane token (so it can be searched for across
 * services), else makes one; returns it and puts it on every log line of the request.
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id')?.trim();
  const requestId = given && SANE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  withLogContext({ requestId }, next);
};

export function requestIdOf(res: Response): string {
  return String(res.locals.requestId);
}
