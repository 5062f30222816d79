import type { MaskPolicy } from '@bridge/privacy';
import type { RequestHandler, Response } from 'express';
import { principalOf } from './auth';

const asksForRaw = (v: unknown) => v !== undefined && v !== '0' && v !== 'false';

/**
 * Masks every JSON answer behind it (Bull Board's API, status, jobs, deliveries, errors) with
 * the one policy, so no route can forget to. Operators may ask for data as stored with `?raw=1`
 * (they need the real body to fix a delivery); a viewer who asks gets 403.
 */
export function maskAnswers(policy: MaskPolicy): RequestHandler {
  return (req, res, next) => {
    if (asksForRaw(req.query.raw)) {
      const p = principalOf(res);
      if (p.role === 'operator') return next();
      res.status(403).json({
        error: 'forbidden',
        message:
          `${p.name} is a viewer: personal data is shown masked, and raw=1 (data as stored) needs the operator role. ` +
          'Ask again without raw.',
      });
      return;
    }
    res.locals.masked = true;
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(policy.value(body));
    next();
  };
}

/** Whether this answer is being masked (false only for an operator's `?raw=1`). */
export const isMasked = (res: Response): boolean => res.locals.masked === true;
