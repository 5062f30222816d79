import { createMaskPolicy, maskEmail, maskPatterns } from '../src';

const policy = createMaskPolicy({ personalFields: ['Client Name', 'Email', 'Company', 'Phone'] });

describe('mask policy: by field', () => {
  test('when values sit under personal keys, then they are masked whatever the key spelling', () => {
    const out = policy.value({
      fields: {
        Email: 'jane.doe@example.com',
        'E-mail': 'x@y.io',
        phone_number: '+1 (555) 010-9999',
        'Client Name': 'Jane Q Doe',
        clientName: 'Bob',
        Company: 'Acme Ltd',
        Status: 'New',
      },
    });
    expect(out).toEqual({
      fields: {
        Email: 'j***@e***.com',
        'E-mail': 'x***@y***.io',
        phone_number: '***99',
        'Client Name': 'J*** Q*** D***',
        clientName: 'B***',
        Company: 'A*** L***',
        Status: 'New',
      },
    });
  });

  test('when a field name comes from the configuration, then that field is masked too', () => {
    const custom = createMaskPolicy({ personalFields: ['Firma'] });
    expect(custom.value({ Firma: 'Zwicky GmbH', Company: 'Acme' })).toEqual({ Firma: 'Z*** G***', Company: 'Acme' });
  });

  test('when a personal value is an object, an array or a number, then nothing of it shows', () => {
    expect(policy.value({ Email: [{ text: 'a@b.co' }], Phone: ['0123456789'], phone: 447700900123 })).toEqual({
      Email: ['***'],
      Phone: ['***89'],
      phone: '***23',
    });
  });

  test('when the input has cycles or dates, then masking ends and dates stay readable', () => {
    const a: Record<string, unknown> = { x: 1, at: new Date('2025-06-01T12:00:00Z') };
    a.self = a;
    expect(policy.value(a)).toEqual({ x: 1, at: '2025-06-01T12:00:00.000Z', self: '[…]' });
  });
});

describe('mask policy: by pattern', () => {
  test('when an email or a phone number sits in any string, then it is masked there', () => {
    expect(policy.value({ note: 'write to jo@corp.example.org or call +44 20 7946 0958 today', n: 3 })).toEqual({
      note: 'write to j***@c***.org or call ***58 today',
      n: 3,
    });
    expect(maskPatterns('tel. (555) 010-9999, mobile 07700900123')).toBe('tel. ***99, mobile ***23');
  });

  test('when digits are ids, dates, times, UUIDs or addresses, then they are left alone', () => {
    const text =
      'job 8f3e4a21-1234-5678-9abc-0123456789ab rec123456789 at 2025-06-01T12:00:00.000Z on 2025-06-01 from 10.20.30.40:5432 in 1234 ms';
    expect(maskPatterns(text)).toBe(text);
  });

  test('when an address has no dot in its domain, then maskEmail still masks it', () => {
    expect(maskEmail('root@localhost')).toBe('r***@l***');
  });
});

describe('mask policy: raw bodies', () => {
  test('when a body is JSON, then it is masked by field', () => {
    const raw = JSON.stringify({
      recordId: 'rec1',
      fields: { 'Client Name': 'Zelda Quark', Company: 'Quarkworks', Phone: '+44 20 7946 0958' },
    });
    expect(JSON.parse(policy.body(raw))).toEqual({
      recordId: 'rec1',
      fields: { 'Client Name': 'Z*** Q***', Company: 'Q***', Phone: '***58' },
    });
  });

  test('when a body is not JSON because of an unescaped quote, then personal fields are masked in the text', () => {
    const raw =
      '{"recordId": "rec1", "fields": {"Client Name": "Zelda "Zee" Quark", "Company": "Quark "Q" works",\n "Email": "zq@quark.example", "Status": "New"}}';
    const out = policy.body(raw);
    expect(out).toBe(
      '{"recordId": "rec1", "fields": {"Client Name": "Z*** "*** Q***", "Company": "Q*** "*** w***",\n "Email": "z***@q***.example", "Status": "New"}}',
    );
  });

  test('when a rawBody sits in an answer, then it is masked as a body', () => {
    expect(policy.value({ rawBody: '{"Company": "Quark "Q" works"}' })).toEqual({ rawBody: '{"Company": "Q*** "*** w***"}' });
  });
});

describe('mask policy: what the second adversarial round found (issue 15, point 5)', () => {
  test('when a value in a non-JSON body holds a line break, then the whole value is masked, both lines', () => {
    const raw = '{"recordId": "rec1", "fields": {"Client Name": "Robert\nTables", "Phone": "+44 20 79\n46 0958", "Status": "New"';
    const out = policy.body(raw);
    expect(out).toBe('{"recordId": "rec1", "fields": {"Client Name": "R*** T***", "Phone": "***58", "Status": "New"');
  });

  test('when an address has a non-ASCII domain or local part, then it is masked', () => {
    expect(maskPatterns('write to john.smith@exämple.de or jörg@bücher.example today')).toBe(
      'write to j***@e***.de or j***@b***.example today',
    );
    expect(policy.value({ note: 'contact: anna@почта.рф' })).toEqual({ note: 'contact: a***@п***.рф' });
  });

  test('when a phone number is a JSON number under a key in another language, then it is masked', () => {
    const keys = [
      'Telefon',
      'telefonnummer',
      'Handy',
      'Mobilnummer',
      'Teléfono',
      'telefono',
      'Fax',
      'tel_nr',
      'Téléphone portable',
      'WhatsApp',
    ];
    const out = policy.value(Object.fromEntries(keys.map((k) => [k, 4915112345678])));
    expect(out).toEqual(Object.fromEntries(keys.map((k) => [k, '***78'])));
    expect(JSON.parse(policy.body('{"fields": {"Telefon":4915112345678}}'))).toEqual({ fields: { Telefon: '***78' } });
  });

  test('when keys only look alike, then their values stay: counts, ids, timestamps', () => {
    const plain = { attemptsMade: 3, timestamp: 1733230000000, telemetry: 'on', hotel: 'Ritz', processedOn: 1733230000001 };
    expect(policy.value(plain)).toEqual(plain);
  });

  test('when text is JSON with a personal array or flat object, then it is replaced whole and the text stays JSON', () => {
    // A MissionX client as `npm run replay -- record` prints it: its emailDomains array once came out `"***"],`.
    const client =
      '{"customId":"rec1","emailDomains":["acme.example","acme.test"],"departments":[],"contactEmail":{"a":"b"},"archived":false}';
    const out = policy.text(client);
    expect(out).toBe('{"customId":"rec1","emailDomains":"***","departments":[],"contactEmail":"***","archived":false}');
    expect(() => JSON.parse(out)).not.toThrow();
  });
});
