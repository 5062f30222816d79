import type { RunningSimulators } from '../src';
import { AUDIT, LEADS, ORDERS, aitable, leadFields, recordsPath, startTestSimulators } from './support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startTestSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

describe('AITable record writes', () => {
  test('when records are created, then the envelope carries them with rec ids, ms timestamps and the written fields', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), {
      records: [{ fields: leadFields() }, { fields: leadFields({ 'Client Name': 'Grace' }) }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, code: 200, message: 'SUCCESS' });
    const [first] = res.body.data.records;
    expect(first.recordId).toMatch(/^rec[A-Za-z0-9]{10}$/);
    expect(first.createdAt).toBeGreaterThan(Date.now() - 60_000);
    expect(first.updatedAt).toBe(first.createdAt);
    expect(first.fields).toEqual(leadFields());
    expect(await sim.control.records(LEADS)).toHaveLength(2);
  });

  test('when more than 10 records are written, then HTTP 200 success:false code 400 and nothing is written', async () => {
    const records = Array.from({ length: 11 }, () => ({ fields: leadFields() }));
    const res = await aitable(sim).post(recordsPath(LEADS), { records });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(res.body.message).toMatch(/at most 10/);
    expect(await sim.control.records(LEADS)).toEqual([]);
  });

  test('when exactly 10 records are written, then all are created', async () => {
    const records = Array.from({ length: 10 }, () => ({ fields: leadFields() }));
    const res = await aitable(sim).post(recordsPath(LEADS), { records });
    expect(res.body.data.records).toHaveLength(10);
  });

  test('when some field names are unknown, then they are dropped silently and the rest is written', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), { records: [{ fields: { Email: 'a@b.co', 'E-mail address': 'lost@b.co' } }] });
    expect(res.body.success).toBe(true);
    expect(res.body.data.records[0].fields).toEqual({ Email: 'a@b.co' });
  });

  test('when no field name matches, then code 400 names the unknown fields', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), { records: [{ fields: { Mail: 'a@b.co' } }] });
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(res.body.message).toContain('"Mail"');
  });

  test.each([
    ['a number in a text field', LEADS, { 'Client Name': 42 }, /Client Name.*string/],
    ['a numeric string in a number field', AUDIT, { 'Employees Processed': '12' }, /Employees Processed.*number/],
    ['an invalid date', AUDIT, { 'Upload Date': 'yesterday' }, /Upload Date.*date/],
    ['a URL object instead of a string', LEADS, { 'Portal URL': { text: 'https://x.io' } }, /Portal URL.*string/],
    ['a select given as an object', LEADS, { Status: { name: 'New' } }, /Status.*string/],
    ['a boolean in a text field', LEADS, { Company: true }, /Company.*string/],
  ])('when a write has %s, then HTTP 200 code 400 names the field', async (_what, datasheetId, fields, message) => {
    const res = await aitable(sim).post(recordsPath(datasheetId), { records: [{ fields }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect(res.body.message).toMatch(message);
  });

  test('when a batch has one bad record, then none of it is written', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), {
      records: [{ fields: leadFields() }, { fields: leadFields({ Phone: 123 }) }],
    });
    expect(res.body.code).toBe(400);
    expect(await sim.control.records(LEADS)).toEqual([]);
  });

  test('when dates are written as ISO or epoch ms, then both read back as epoch ms', async () => {
    const res = await aitable(sim).post(recordsPath(AUDIT), {
      records: [{ fields: { 'Upload Date': '2024-05-01T10:00:00.000Z' } }, { fields: { 'Upload Date': 1714557600000 } }],
    });
    expect(res.body.data.records.map((r: { fields: Record<string, unknown> }) => r.fields['Upload Date'])).toEqual([
      1714557600000, 1714557600000,
    ]);
  });

  test('when an unknown select option is written, then it is created silently and listed by the fields endpoint', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), { records: [{ fields: { Status: 'Nurturing' } }] });
    expect(res.body.data.records[0].fields.Status).toBe('Nurturing');
    const fields = await aitable(sim).get(`/datasheets/${LEADS}/fields`);
    const status = fields.body.data.fields.find((f: { name: string }) => f.name === 'Status');
    expect(status.property.options.map((o: { name: string }) => o.name)).toContain('Nurturing');
  });

  test('when a link names existing records, then it is stored; an empty array or an unknown id is code 400; null clears it', async () => {
    const { recordId: lead } = await sim.control.addRecord(LEADS, leadFields());
    const created = await aitable(sim).post(recordsPath(ORDERS), { records: [{ fields: { 'Order Number': 'SO-1', Lead: [lead] } }] });
    const order = created.body.data.records[0];
    expect(order.fields.Lead).toEqual([lead]);
    const empty = await aitable(sim).patch(recordsPath(ORDERS), { records: [{ recordId: order.recordId, fields: { Lead: [] } }] });
    expect(empty.body).toMatchObject({ success: false, code: 400 });
    const unknown = await aitable(sim).patch(recordsPath(ORDERS), {
      records: [{ recordId: order.recordId, fields: { Lead: ['recNope000000'] } }],
    });
    expect(unknown.body.message).toContain('recNope000000');
    const cleared = await aitable(sim).patch(recordsPath(ORDERS), { records: [{ recordId: order.recordId, fields: { Lead: null } }] });
    expect(cleared.body.data.records[0].fields).toEqual({ 'Order Number': 'SO-1' });
  });

  test('when a record is updated with PATCH or PUT, then only the given fields change and updatedAt moves', async () => {
    const { recordId } = await sim.control.addRecord(LEADS, leadFields());
    const [before] = await sim.control.records(LEADS);
    const patched = await aitable(sim).patch(recordsPath(LEADS), { records: [{ recordId, fields: { Status: 'Won' } }] });
    expect(patched.body.data.records[0].fields).toEqual(leadFields({ Status: 'Won' }));
    const put = await aitable(sim).put(recordsPath(LEADS), {
      records: [{ recordId, fields: { 'Portal Status': 'Active', Company: null } }],
    });
    const { Company: _cleared, ...rest } = leadFields({ Status: 'Won', 'Portal Status': 'Active' });
    expect(put.body.data.records[0].fields).toStrictEqual(rest);
    expect(put.body.data.records[0].updatedAt).toBeGreaterThanOrEqual(before?.updatedAt ?? Infinity);
  });

  test('when an update names an unknown recordId, then code 400 and nothing changes', async () => {
    const { recordId } = await sim.control.addRecord(LEADS, leadFields());
    const res = await aitable(sim).patch(recordsPath(LEADS), {
      records: [
        { recordId, fields: { Status: 'Won' } },
        { recordId: 'recMissing0000', fields: { Status: 'Lost' } },
      ],
    });
    expect(res.body).toMatchObject({ success: false, code: 400 });
    expect((await sim.control.records(LEADS))[0]?.fields.Status).toBe('New');
  });

  test('when records are deleted by recordIds, then they are gone and data is true; an unknown id is code 400', async () => {
    const a = await sim.control.addRecord(LEADS, leadFields());
    const b = await sim.control.addRecord(LEADS, leadFields());
    const res = await aitable(sim).delete(`${recordsPath(LEADS)}?recordIds=${a.recordId},${b.recordId}`);
    expect(res.body).toEqual({ success: true, code: 200, message: 'SUCCESS', data: true });
    expect(await sim.control.records(LEADS)).toEqual([]);
    const again = await aitable(sim).delete(`${recordsPath(LEADS)}?recordIds=${a.recordId}`);
    expect(again.body).toMatchObject({ success: false, code: 400 });
  });

  test('when fieldKey=id is given, then fields are written and read by field id', async () => {
    const fields = (await aitable(sim).get(`/datasheets/${LEADS}/fields`)).body.data.fields as { id: string; name: string }[];
    const emailId = fields.find((f) => f.name === 'Email')?.id ?? '';
    expect(emailId).toMatch(/^fld/);
    const res = await aitable(sim).post(recordsPath(LEADS), {
      fieldKey: 'id',
      records: [{ fields: { [emailId]: 'id@key.io', Email: 'dropped' } }],
    });
    expect(res.body.data.records[0].fields).toEqual({ [emailId]: 'id@key.io' });
  });

  test('when the body is not JSON with records, then code 400', async () => {
    const res = await aitable(sim).post(recordsPath(LEADS), { fields: leadFields() });
    expect(res.body).toMatchObject({ success: false, code: 400 });
  });
});
