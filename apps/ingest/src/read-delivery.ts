import { fromHttpError, isAppError, toHttpAnswer } from '@bridge/errors';
import { sourceKey } from '@bridge/http-server';
import { withLogContext } from '@bridge/logger';
import { headerValue, sha256Hex } from '@bridge/webhooks';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { IngestDeps } from './deps';
import { noteDelivery, type DeliveryFacts } from './note-delivery';
import { refuseUnauthenticated } from './unauthenticated';
import { requestIdOf } from './request-context';

/**
 * Starts a delivery: gives it an id, reads the raw body (any content type: the signature is
 * checked on the bytes before the type is) up to the configured limit, and notes a delivery
 * that cannot even be read (413, aborted upload) before the error middleware answers it.
 */
export function readDelivery(deps: IngestDeps, source: DeliveryFacts['source']): RequestHandler {
  const limit = deps.config.WEBHOOK_BODY_LIMIT_BYTES;
  const readRaw = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    const facts: DeliveryFacts = {
      id: randomUUID(),
      receivedAt: deps.now(),
      requestId: requestIdOf(res),
      source,
      webhookId: source === 'aitable' ? headerValue(req.headers, 'webhook-id')?.slice(0, 200) : undefined,
      contentType: headerValue(req.headers, 'content-type')?.slice(0, 200),
    };
    res.locals.delivery = facts;
    readRaw(req, res, (err?: unknown) => {
      // Body streams call back outside the request's async context: enter it again.
      withLogContext({ requestId: facts.requestId, deliveryId: facts.id }, () => {
        if (err === undefined) {
          facts.bodyHash = sha256Hex(rawBodyOf(req));
          next();
          return;
        }
        const normalized = fromHttpError(err, limit);
        const answer = toHttpAnswer(normalized);
        if (!isAppError(normalized)) {
          noteDelivery(deps, facts, {
            outcome: 'rejected',
            reason: 'unreadable_body',
            detail: answer.body.message,
            httpStatus: answer.status,
          });
          return next(normalized);
        }
        // Read before it could authenticate (a body over the limit, an aborted upload): limited like a bad signature.
        const unread = { reason: normalized.code, detail: answer.body.message, error: normalized };
        refuseUnauthenticated(deps, facts, sourceKey(req.ip), unread).then(next, next);
      });
    });
  };
}

export function rawBodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

export function deliveryOf(res: Response): DeliveryFacts {
  return res.locals.delivery as DeliveryFacts;
}
