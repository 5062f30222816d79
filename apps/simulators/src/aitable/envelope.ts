import type { Response } from 'express';

/**
 * An AITable API error. Most are answered with HTTP 200 and `success:false` (AITable's quirk:
 * a client must read `success`, not only the status); `httpStatus` says when the status differs.
 */
export class EnvelopeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** A 400 "bad parameter" error: HTTP 200, `success:false`, `code:400`. */
export const badParam = (message: string): EnvelopeError => new EnvelopeError(400, message);

export function sendOk(res: Response, data: unknown): void {
  res.status(200).json({ success: true, code: 200, message: 'SUCCESS', data });
}

export function sendError(res: Response, err: EnvelopeError): void {
  res.status(err.httpStatus).json({ success: false, code: err.code, message: err.message });
}
