import { AITABLE_ERROR_CODES, formulaString, urlValue } from '@bridge/aitable';
import { AppError } from '@bridge/errors';
import { AitableHarness, LEADS, failure } from './helpers';

describe('AitableClient records and fields', () => {
  const h = new AitableHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.resetUnthrottled());
  const fast = () => h.fastClient();
  const seedLeads = (n: number) => h.seedLeads(n, (i) => ({ 'Client Name': `Lead ${i}`, Company: i % 2 ? 'Acme' : 'Globex' }));

  it('when a record exists, then getRecord returns it with its fields and epoch-ms timestamps', async () => {
    const { client } = fast();
    const { recordId } = await h.sim.control.addRecord(LEADS, {
      'Client Name': 'Ada',
      Email: 'ada@example.com',
      'Portal URL': 'https://p.example/1',
    });
    const record = await client.getRecord(LEADS, recordId);
    expect(record).toMatchObject({ recordId, fields: { 'Client Name': 'Ada', Email: 'ada@example.com' } });
    expect(urlValue(record.fields['Portal URL'])).toBe('https://p.example/1');
    expect(record.createdAt).toBeGreaterThan(1_600_000_000_000);
  });

  it('when 25 records are read 10 per page, then iteratePages yields 3 pages holding all 25', async () => {
    const { client } = fast();
    const ids = await seedLeads(25);
    const pages = [];
    for await (const page of client.iteratePages(LEADS, { pageSize: 10 })) pages.push(page);
    expect(pages.map((p) => p.records.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((p) => p.records.map((r) => r.recordId)).sort()).toEqual([...ids].sort());
  });

  it('when records are searched by formula, then only the matching ones come back', async () => {
    const { client } = fast();
    await seedLeads(6);
    const found = await client.findRecords(LEADS, `{Company} = ${formulaString('Acme')}`, { fields: ['Company'] });
    expect(found).toHaveLength(3);
    expect(found.every((r) => r.fields.Company === 'Acme' && r.fields['Client Name'] === undefined)).toBe(true);
  });

  it('when 23 records are created and updated, then each write is split into requests of at most 10, in input order', async () => {
    const { client } = fast();
    const created = await client.createRecords(
      LEADS,
      Array.from({ length: 23 }, (_, i) => ({ fields: { 'Client Name': `N${i}` } })),
    );
    expect(created.map((r) => r.fields['Client Name'])).toEqual(Array.from({ length: 23 }, (_, i) => `N${i}`));
    const updated = await client.updateRecords(
      LEADS,
      created.map((r) => ({ recordId: r.recordId, fields: { Status: 'Contacted' } })),
    );
    expect(updated.every((r) => r.fields.Status === 'Contacted')).toBe(true);
    const writes = await h.sim.control.requests({ service: 'aitable', pathIncludes: LEADS });
    const sizes = writes.filter((w) => w.method !== 'GET').map((w) => `${w.method} ${(w.body as { records: unknown[] }).records.length}`);
    expect(sizes).toEqual(['POST 10', 'POST 10', 'POST 3', 'PATCH 10', 'PATCH 10', 'PATCH 3']);
  });

  it('when records are deleted, then they are gone', async () => {
    const { client } = fast();
    const ids = await seedLeads(3);
    await client.deleteRecords(LEADS, ids.slice(0, 2));
    expect((await h.sim.control.records(LEADS)).map((r) => r.recordId)).toEqual([ids[2]]);
  });

  it('when the fields are read, then every seeded field comes with its type', async () => {
    const { client } = fast();
    const fields = await client.getFields(LEADS);
    expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Client Name', 'Email', 'Portal URL', 'Portal Status']));
    expect(fields.find((f) => f.name === 'Portal URL')?.type).toBe('URL');
  });

  it('when the field mapping names fields the datasheet lacks, then checkFieldMapping fails permanently naming each of them', async () => {
    const { client } = fast();
    const err = await failure(client.checkFieldMapping(LEADS, ['Client Name', 'Emial', 'Portal URL', 'Portal state']));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: AITABLE_ERROR_CODES.missingFields,
      kind: 'permanent',
      details: { missing: ['Emial', 'Portal state'] },
    });
    expect((err as AppError).message).toContain('"Emial", "Portal state"');
    expect((err as AppError).message).toContain(LEADS);
  });

  it('when every mapped field exists, then checkFieldMapping resolves with the fields', async () => {
    const { client } = fast();
    await expect(client.checkFieldMapping(LEADS, ['Client Name', 'Email', 'Portal URL', 'Portal Status'])).resolves.toHaveLength(8);
  });

  it('when a recordId is blank, then the call fails permanently before any request', async () => {
    const { client } = fast();
    expect(await failure(client.updateRecord(LEADS, ' ', { Company: 'X' }))).toMatchObject({
      code: AITABLE_ERROR_CODES.invalidInput,
      kind: 'permanent',
    });
    expect(await h.sim.control.requests({ service: 'aitable' })).toEqual([]);
  });
});
