import { AppError, toJobDecision } from '@bridge/errors';
import { AITABLE_ERROR_CODES } from '@bridge/aitable';
import { API_KEY, AUDIT, AitableHarness, LEADS, failure } from './helpers';

describe('AitableClient error classification', () => {
  const h = new AitableHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  const asAppError = (err: unknown): AppError => {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  };

  it('when AITable answers HTTP 200 with success:false code 400, then the error is a permanent bad request carrying its message', async () => {
    const { client, seen } = h.client();
    await h.sim.control.injectFault({ service: 'aitable', kind: 'envelope_error', code: 400, message: 'param error: viewId', count: 1 });
    const err = asAppError(await failure(client.listRecords(LEADS)));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.badRequest, kind: 'permanent' });
    expect(err.message).toContain('param error: viewId');
    expect(err.message).toContain(`listRecords on datasheet ${LEADS}`);
    expect(seen.calls).toEqual([{ operation: 'listRecords', status: '400' }]);
    expect(seen.errorAnswers).toEqual([{ datasheetId: LEADS, code: 400 }]);
    expect(toJobDecision(err)).toEqual({ action: 'fail' });
  });

  it('when AITable answers HTTP 200 with success:false code 500, then the error is transient', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'aitable', kind: 'envelope_error', code: 500, count: 1 });
    expect(await failure(client.getFields(LEADS))).toMatchObject({ code: AITABLE_ERROR_CODES.unavailable, kind: 'transient' });
  });

  it('when a record id is unknown, then an update fails permanently naming the record and getRecord says not found', async () => {
    const { client } = h.client();
    const update = asAppError(await failure(client.updateRecords(LEADS, [{ recordId: 'recNope123', fields: { Company: 'X' } }])));
    expect(update).toMatchObject({ code: AITABLE_ERROR_CODES.badRequest, kind: 'permanent' });
    expect(update.message).toContain('recNope123');
    const get = asAppError(await failure(client.getRecord(LEADS, 'recNope123')));
    expect(get).toMatchObject({ code: AITABLE_ERROR_CODES.recordNotFound, kind: 'permanent', details: { recordId: 'recNope123' } });
  });

  it('when a value has the wrong type, then the write fails permanently with AITable’s reason', async () => {
    const { client } = h.client();
    const err = asAppError(await failure(client.createRecords(AUDIT, [{ fields: { 'Audit ID': 'a1', 'Employees Processed': 'many' } }])));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.badRequest, kind: 'permanent' });
    expect(err.message).toContain('Employees Processed');
  });

  it('when the datasheet does not exist (301), then the error is permanent and names it', async () => {
    const { client } = h.client();
    const err = asAppError(await failure(client.getFields('dstDoesNotExist')));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.datasheetNotFound, kind: 'permanent' });
    expect(err.message).toContain('dstDoesNotExist');
  });

  it('when the API key is wrong (401), then the error is permanent and never contains the key', async () => {
    const secret = 'usk-super-secret-wrong-key';
    const { client } = h.client({ apiKey: secret });
    const err = asAppError(await failure(client.listRecords(LEADS)));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.unauthorized, kind: 'permanent' });
    expect(`${err.message} ${JSON.stringify(err.details)}`).not.toContain(secret);
    expect(err.cause).toBeUndefined();
  });

  it('when AITable refuses access (403), then the error is permanent and mentions the quota', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({
      service: 'aitable',
      kind: 'status',
      status: 403,
      code: 403,
      message: 'API usage exceeded',
      count: 1,
    });
    const err = asAppError(await failure(client.listRecords(LEADS)));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.forbidden, kind: 'permanent' });
    expect(err.message).toMatch(/quota/);
  });

  it('when the route is unknown (404), then the error is permanent', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'aitable', kind: 'status', status: 404, count: 1 });
    expect(await failure(client.getFields(LEADS))).toMatchObject({ code: AITABLE_ERROR_CODES.notFound, kind: 'permanent' });
  });

  it('when AITable answers HTTP 502 without an envelope, then the error is transient', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'aitable', kind: 'status', status: 502, count: 1 });
    const err = asAppError(await failure(client.listRecords(LEADS)));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.unavailable, kind: 'transient' });
    expect(toJobDecision(err)).toEqual({ action: 'retry' });
  });

  it('when AITable hangs past the client timeout, then the error is a transient timeout', async () => {
    const { client, seen } = h.client({ timeoutMs: 200 });
    await h.sim.control.injectFault({ service: 'aitable', kind: 'hang', hangMs: 1000, count: 1 });
    const err = asAppError(await failure(client.getFields(LEADS)));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.unavailable, kind: 'transient', details: { transport: 'timeout' } });
    expect(err.message).toContain('timed out after 200 ms');
    expect(seen.calls).toEqual([{ operation: 'getFields', status: 'timeout' }]);
  });

  it('when nothing listens at the base URL, then the error is a transient network error', async () => {
    const { client } = h.client({ baseUrl: 'http://127.0.0.1:9/fusion' });
    expect(await failure(client.getFields(LEADS))).toMatchObject({
      code: AITABLE_ERROR_CODES.unavailable,
      kind: 'transient',
      details: { transport: 'network' },
    });
  });

  it('when AITable echoes the API key in a message, then the key is redacted', async () => {
    const { client } = h.client();
    await h.sim.control.injectFault({ service: 'aitable', kind: 'envelope_error', code: 400, message: `bad token ${API_KEY}`, count: 1 });
    const err = asAppError(await failure(client.listRecords(LEADS)));
    expect(err.message).not.toContain(API_KEY);
    expect(err.message).toContain('[redacted]');
  });
});
