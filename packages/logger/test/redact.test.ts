import { redact, REDACTED } from '../src';

describe('log redaction', () => {
  test('when a log line carries personal data by any key spelling, then it is redacted, with the credentials', () => {
    const line = { 'Client Name': 'Jane', clientName: 'Jane', mobile: '0770', contact_email: 'j@x.io', token: 't', fields: { a: 1 } };
    expect(redact(line)).toEqual(Object.fromEntries(Object.keys(line).map((k) => [k, REDACTED])));
  });

  test('when keys only look alike (a queue or error name), then they stay', () => {
    expect(redact({ name: 'AppError', queue: 'leads', error: { name: 'TypeError' } })).toEqual({
      name: 'AppError',
      queue: 'leads',
      error: { name: 'TypeError' },
    });
  });
});
