import { maskEmail, maskPersonalData } from '../src';
import { parsePointInTime } from '../src/time-window';

describe('maskPersonalData', () => {
  test('when values sit under personal keys, then they are masked whatever the key spelling', () => {
    const out = maskPersonalData({
      fields: { Email: 'jane.doe@example.com', 'E-mail': 'x@y.io', phone_number: '+1 (555) 010-9999', 'Client Name': 'Jane Q Doe', clientName: 'Bob', Company: 'Acme', Status: 'New' },
    });
    expect(out).toEqual({
      fields: { Email: 'j***@e***.com', 'E-mail': 'x***@y***.io', phone_number: '***99', 'Client Name': 'J*** Q*** D***', clientName: 'B***', Company: 'Acme', Status: 'New' },
    });
  });

  test('when an email sits in any string, then it is masked there too', () => {
    expect(maskPersonalData({ note: 'write to jo@corp.example.org today', n: 3 })).toEqual({ note: 'write to j***@c***.org today', n: 3 });
  });

  test('when a personal value is an object or array, then nothing inside it shows', () => {
    expect(maskPersonalData({ Email: [{ text: 'a@b.co' }], Phone: ['0123456789'] })).toEqual({ Email: ['***'], Phone: ['***89'] });
  });

  test('when the input has cycles, then masking still ends', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(maskPersonalData(a)).toEqual({ x: 1, self: '[…]' });
  });

  test('when an address has no dot in its domain, then it is still masked', () => {
    expect(maskEmail('root@localhost')).toBe('r***@l***');
  });
});

describe('parsePointInTime', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  test('when given a duration, an ISO date or epoch ms, then it reads the point in time', () => {
    expect(parsePointInTime('90s', 'since', now)).toEqual(new Date('2025-06-01T11:58:30Z'));
    expect(parsePointInTime('1d', 'since', now)).toEqual(new Date('2025-05-31T12:00:00Z'));
    expect(parsePointInTime('2025-05-01', 'until', now)).toEqual(new Date('2025-05-01T00:00:00Z'));
    expect(parsePointInTime('1748779200000', 'until', now)).toEqual(new Date(1748779200000));
  });
  test('when given anything else, then the error names the field', () => {
    expect(() => parsePointInTime('2 hours', 'until', now)).toThrow(/^until must be a duration/);
  });
});
