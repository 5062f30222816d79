import { permanent, toHttpAnswer } from '@bridge/errors';

/** What body-parser throws (http-errors), without depending on either. */
const httpError = (status: number, type: string, message: string, expose = true) =>
  Object.assign(new Error(message), { status, type, expose });

describe('toHttpAnswer', () => {
  it('when an AppError is given, then its status, code and message are the answer', () => {
    const answer = toHttpAnswer(permanent('unknown_datasheet', 'Datasheet dstX is not configured', { httpStatus: 422 }));
    expect(answer).toEqual({ status: 422, body: { error: 'unknown_datasheet', message: 'Datasheet dstX is not configured' }, headers: {} });
  });

  it('when body-parser refuses a body as too large, then the answer is 413 body_too_large', () => {
    const answer = toHttpAnswer(httpError(413, 'entity.too.large', 'request entity too large'));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('body_too_large');
  });

  it('when an http error is not meant to be shown, then its message is replaced by "Bad request"', () => {
    const answer = toHttpAnswer(httpError(400, 'entity.parse.failed', 'Unexpected token s in JSON at position 3', false));
    expect(answer).toMatchObject({ status: 400, body: { error: 'bad_request', message: 'Bad request' } });
  });

  it('when an unknown error is given, then the answer is a 500 that does not echo its message', () => {
    const answer = toHttpAnswer(new Error('relation "secret_table" does not exist'));
    expect(answer).toEqual({ status: 500, body: { error: 'internal_error', message: 'Internal server error' }, headers: {} });
  });
});
