import { locateJsonError, parseDelivery, type ConfiguredDatasheets } from '@bridge/webhooks';

const SHEETS: ConfiguredDatasheets = { leads: 'dstLeads', orders: 'dstOrders', auditResults: 'dstAudit' };
const JSON_CT = 'application/json';
const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseDelivery', () => {
  it.each([
    ['dstLeads', 'leads'],
    ['dstOrders', 'orders'],
    ['dstAudit', 'audit-results'],
  ])('when the datasheet is %s, then it routes to the %s queue', (datasheetId, queue) => {
    const r = parseDelivery(body({ datasheetId, recordId: 'recA1' }), JSON_CT, SHEETS);
    expect(r).toEqual({ ok: true, queue, event: { datasheetId, recordId: 'recA1' } });
  });

  it('when the guide body is sent, then eventType and fields are carried', () => {
    const r = parseDelivery(
      body({
        eventType: 'record.updated',
        datasheetId: 'dstLeads',
        recordId: 'recA1',
        record: { fields: { Email: 'a@b.c' } },
        recordUrl: 'x',
      }),
      'application/json; charset=utf-8',
      SHEETS,
    );
    expect(r).toEqual({
      ok: true,
      queue: 'leads',
      event: { eventType: 'record.updated', datasheetId: 'dstLeads', recordId: 'recA1', fields: { Email: 'a@b.c' } },
    });
  });

  it.each([['text/plain'], [undefined], ['application/x-www-form-urlencoded']])('when the content type is %s, then 415', (ct) => {
    const r = parseDelivery(body({ datasheetId: 'dstLeads', recordId: 'recA1' }), ct, SHEETS);
    expect(r).toMatchObject({ ok: false, status: 415, reason: 'unsupported_media_type' });
  });

  it('when the charset is not UTF-8, then 415 naming it', () => {
    const r = parseDelivery(body({ datasheetId: 'dstLeads', recordId: 'recA1' }), 'application/json; charset=latin1', SHEETS);
    expect(r).toMatchObject({ ok: false, status: 415, message: expect.stringContaining('latin1') });
  });

  it('when a field value holds an unescaped quote, then 400 naming the line and column', () => {
    const raw = '{\n  "datasheetId": "dstLeads",\n  "recordId": "recA1",\n  "record": {"fields": {"Company": "Acme "Best" Ltd"}}\n}';
    const r = parseDelivery(body(raw), JSON_CT, SHEETS);
    expect(r).toMatchObject({ ok: false, status: 400, reason: 'invalid_json', details: { line: 4, column: 43 } });
    expect(r.ok === false && r.message).toContain('line 4, column 43');
  });

  it('when the message for invalid JSON is built, then it does not quote the body', () => {
    const r = parseDelivery(body('{"recordId": "secret-value" oops}'), JSON_CT, SHEETS);
    expect(r.ok === false && r.message).not.toContain('secret-value');
  });

  it('when the body is empty, then 400', () => {
    expect(parseDelivery(Buffer.alloc(0), JSON_CT, SHEETS)).toMatchObject({ ok: false, status: 400, reason: 'invalid_json' });
  });

  it('when the shape is wrong, then 422 listing every zod path', () => {
    const r = parseDelivery(body({ datasheetId: 'leads', recordId: 42, eventType: 'record.moved', record: {} }), JSON_CT, SHEETS);
    expect(r).toMatchObject({ ok: false, status: 422, reason: 'invalid_payload' });
    const paths = r.ok ? [] : (r.details?.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['datasheetId', 'eventType', 'record.fields', 'recordId']);
  });

  it('when the JSON is an array, then 422 at the root', () => {
    const r = parseDelivery(body([1]), JSON_CT, SHEETS);
    expect(r).toMatchObject({ ok: false, status: 422, details: { issues: [{ path: '(root)' }] } });
  });

  it('when the datasheet is none of the three, then 422 naming it', () => {
    const r = parseDelivery(body({ datasheetId: 'dstSomethingElse', recordId: 'recA1' }), JSON_CT, SHEETS);
    expect(r).toMatchObject({ ok: false, status: 422, reason: 'unknown_datasheet', message: expect.stringContaining('dstSomethingElse') });
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a": }', 1, 7, 'value should start'],
    ['{"a": "x"y"}', 1, 10, "expected ',' or '}'"],
    ['{"a": "line\nbreak"}', 1, 12, 'line break'],
    ['{"a":1', 1, 7, 'ends too early'],
    ['[1,2,,3]', 1, 6, 'value should start'],
    ['{"a":1}}', 1, 8, 'after the end'],
    ['{a:1}', 1, 2, 'property name'],
    ['{"a":"\\q"}', 1, 7, 'invalid escape'],
    ['{"a":"\\u12G4"}', 1, 7, '\\u escape'],
    ['{"a":01}', 1, 7, "expected ',' or '}'"],
    ['[\n[\n[1 2]]]', 3, 4, "expected ',' or ']'"],
  ])('when given %j, then it points at line %i column %i', (text, line, column, problem) => {
    expect(locateJsonError(text)).toMatchObject({ line, column, problem: expect.stringContaining(problem) });
  });

  it.each([['{}'], ['[]'], ['{"a":[1,{"b":null},"c\\n\\u00e9"],"d":-1.5e3,"e":true}'], ['  "s"  ']])(
    'when given valid JSON %j, then no error',
    (text) => {
      expect(locateJsonError(text)).toBeUndefined();
    },
  );

  it('when nesting is 100k deep, then it answers without overflowing the stack', () => {
    expect(locateJsonError('['.repeat(100_000))).toMatchObject({ problem: expect.stringContaining('ends too early') });
  });
});
