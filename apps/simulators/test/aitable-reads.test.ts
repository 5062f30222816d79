import request from 'supertest';
import type { RunningSimulators } from '../src';
import { AUDIT, LEADS, aitable, leadFields, recordsPath, startTestSimulators } from './support';

let sim: RunningSimulators;
beforeAll(async () => {
  sim = await startTestSimulators();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

type ApiRecord = { recordId: string; updatedAt: number; fields: Record<string, unknown> };
const names = (records: ApiRecord[]) => records.map((r) => r.fields['Client Name']);

async function addLeads(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++)
    ids.push((await sim.control.addRecord(LEADS, leadFields({ 'Client Name': `Lead ${String(i).padStart(2, '0')}` }))).recordId);
  return ids;
}

describe('AITable errors', () => {
  test('when the bearer token is missing or unknown, then HTTP 401 with the Unauthorized envelope', async () => {
    const missing = await request(sim.url).get(`/fusion/v1${recordsPath(LEADS)}`);
    const unknown = await aitable(sim, 'not-a-key').get(recordsPath(LEADS));
    for (const res of [missing, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, code: 401, message: 'Unauthorized' });
    }
  });

  test('when the datasheet does not exist, then HTTP 200 success:false code 301', async () => {
    const res = await aitable(sim).get(recordsPath('dstDoesNotExist'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, code: 301 });
  });

  test('when the route is unknown, then HTTP 404 with code 404', async () => {
    const res = await aitable(sim).get(`/datasheets/${LEADS}/views`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, code: 404 });
  });

  test.each([
    ['pageSize=1001'],
    ['pageSize=0'],
    ['pageNum=abc'],
    ['cellFormat=xml'],
    ['fieldKey=label'],
    ['fields=Nope'],
    ['sort[0][field]=Nope'],
    ['recordIds=recUnknown00000'],
  ])('when the query has %s, then HTTP 200 success:false code 400', async (query) => {
    const res = await aitable(sim).get(`${recordsPath(LEADS)}?${query}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, code: 400 });
  });
});

describe('AITable record reads', () => {
  test('when records are listed without parameters, then a page of up to 100 in creation order with total and pageSize as returned', async () => {
    await addLeads(3);
    const res = await aitable(sim).get(recordsPath(LEADS));
    expect(res.body).toMatchObject({ success: true, code: 200, message: 'SUCCESS', data: { total: 3, pageNum: 1, pageSize: 3 } });
    expect(names(res.body.data.records)).toEqual(['Lead 01', 'Lead 02', 'Lead 03']);
  });

  test('when pageSize and pageNum are given, then that page comes back and total counts all matches', async () => {
    await addLeads(5);
    const page2 = await aitable(sim).get(`${recordsPath(LEADS)}?pageSize=2&pageNum=2`);
    expect(page2.body.data).toMatchObject({ total: 5, pageNum: 2, pageSize: 2 });
    expect(names(page2.body.data.records)).toEqual(['Lead 03', 'Lead 04']);
    const page3 = await aitable(sim).get(`${recordsPath(LEADS)}?pageSize=2&pageNum=3`);
    expect(page3.body.data).toMatchObject({ total: 5, pageSize: 1 });
  });

  test('when maxRecords is given, then total and pages stop there', async () => {
    await addLeads(5);
    const res = await aitable(sim).get(`${recordsPath(LEADS)}?maxRecords=3&pageSize=2&pageNum=2`);
    expect(res.body.data).toMatchObject({ total: 3, pageSize: 1 });
    expect(names(res.body.data.records)).toEqual(['Lead 03']);
  });

  test('when recordIds are given comma-separated or repeated, then exactly those records come back', async () => {
    const ids = await addLeads(4);
    const comma = await aitable(sim).get(`${recordsPath(LEADS)}?recordIds=${ids[3]},${ids[1]}`);
    expect(comma.body.data.records.map((r: ApiRecord) => r.recordId)).toEqual([ids[3], ids[1]]);
    const repeated = await aitable(sim).get(`${recordsPath(LEADS)}?recordIds=${ids[0]}&recordIds=${ids[2]}`);
    expect(repeated.body.data.records.map((r: ApiRecord) => r.recordId)).toEqual([ids[0], ids[2]]);
  });

  test('when recordIds is repeated more than 20 times, then all of them are read', async () => {
    const ids = await addLeads(25);
    const res = await aitable(sim).get(`${recordsPath(LEADS)}?${ids.map((id) => `recordIds=${id}`).join('&')}`);
    expect(res.body.data.total).toBe(25);
  });

  test('when sort is given as sort[0][field]/[order] or as JSON, then records come back in that order', async () => {
    await addLeads(3);
    const bracket = await aitable(sim).get(`${recordsPath(LEADS)}?sort[0][field]=Client Name&sort[0][order]=desc`);
    expect(names(bracket.body.data.records)).toEqual(['Lead 03', 'Lead 02', 'Lead 01']);
    const json = await aitable(sim).get(
      `${recordsPath(LEADS)}?sort=${encodeURIComponent(JSON.stringify([{ field: 'Client Name', order: 'desc' }]))}`,
    );
    expect(names(json.body.data.records)).toEqual(['Lead 03', 'Lead 02', 'Lead 01']);
  });

  test('when numbers are sorted ascending, then they sort numerically with empty values first', async () => {
    for (const n of [10, 9, undefined, 100])
      await sim.control.addRecord(AUDIT, { 'Audit ID': `A${n ?? '-'}`, 'Employees Processed': n ?? null });
    const res = await aitable(sim).get(`${recordsPath(AUDIT)}?sort[0][field]=Employees Processed&sort[0][order]=asc`);
    expect(res.body.data.records.map((r: ApiRecord) => r.fields['Audit ID'])).toEqual(['A-', 'A9', 'A10', 'A100']);
  });

  test('when fields is given, then only those fields are returned and empty fields are always left out', async () => {
    await sim.control.addRecord(LEADS, { 'Client Name': 'Only name' });
    const res = await aitable(sim).get(`${recordsPath(LEADS)}?fields=Client Name,Email`);
    expect(res.body.data.records[0].fields).toStrictEqual({ 'Client Name': 'Only name' });
  });

  test('when a URL field is read, then it is {text, title, favicon}; with cellFormat=string it is the text', async () => {
    await sim.control.addRecord(LEADS, leadFields({ 'Portal URL': 'https://app.missionx.ai/portal/abc' }));
    const json = await aitable(sim).get(recordsPath(LEADS));
    expect(json.body.data.records[0].fields['Portal URL']).toEqual({
      text: 'https://app.missionx.ai/portal/abc',
      title: expect.any(String),
      favicon: expect.any(String),
    });
    const text = await aitable(sim).get(`${recordsPath(LEADS)}?cellFormat=string`);
    expect(text.body.data.records[0].fields['Portal URL']).toBe('https://app.missionx.ai/portal/abc');
  });

  test('when fieldKey=id is given to a read, then fields are keyed by fld ids', async () => {
    await sim.control.addRecord(LEADS, { Email: 'k@ey.io' });
    const fields = (await aitable(sim).get(`/datasheets/${LEADS}/fields`)).body.data.fields as { id: string; name: string }[];
    const res = await aitable(sim).get(`${recordsPath(LEADS)}?fieldKey=id`);
    expect(res.body.data.records[0].fields).toEqual({ [fields.find((f) => f.name === 'Email')?.id ?? '']: 'k@ey.io' });
  });

  test('when the fields endpoint is called, then it lists id, name, type and select options with the primary field first', async () => {
    const res = await aitable(sim).get(`/datasheets/${LEADS}/fields`);
    expect(res.body).toMatchObject({ success: true, code: 200 });
    const fields = res.body.data.fields as {
      id: string;
      name: string;
      type: string;
      isPrimary?: boolean;
      property?: { options: { name: string }[] };
    }[];
    expect(fields.map((f) => f.name)).toEqual([
      'Client Name',
      'Email',
      'Phone',
      'Company',
      'Status',
      'Portal URL',
      'Portal Status',
      'Project Status',
    ]);
    expect(fields[0]).toMatchObject({ type: 'SingleText', isPrimary: true });
    expect(fields[4]?.property?.options.map((o) => o.name)).toEqual(['New', 'Contacted', 'Qualified', 'Won', 'Lost']);
  });
});

describe('AITable filterByFormula subset', () => {
  const filter = (formula: string) => aitable(sim).get(`${recordsPath(LEADS)}?filterByFormula=${encodeURIComponent(formula)}`);

  beforeEach(async () => {
    await sim.control.addRecord(LEADS, leadFields({ 'Client Name': 'Ann', Status: 'Won' }));
    await sim.control.addRecord(LEADS, leadFields({ 'Client Name': 'Bob', Status: 'New' }));
    await sim.control.addRecord(LEADS, leadFields({ 'Client Name': 'Cid', Status: 'Won', Company: null }));
  });

  test.each([
    ['{Status}="Won"', ['Ann', 'Cid']],
    ["{Status}='New'", ['Bob']],
    ['AND({Status}="Won", {Client Name}!="Ann")', ['Cid']],
    ['OR({Client Name}="Ann", {Client Name}="Bob")', ['Ann', 'Bob']],
    ['{Company}=""', ['Cid']],
    ['NOT({Status}="Won")', ['Bob']],
  ])('when filterByFormula is %s, then only matching records come back', async (formula, expected) => {
    const res = await filter(formula);
    expect(res.body.success).toBe(true);
    expect(names(res.body.data.records)).toEqual(expected);
  });

  test('when a number field is compared with a number, then it matches numerically', async () => {
    await sim.control.addRecord(AUDIT, { 'Audit ID': 'A1', 'Employees Processed': 12 });
    await sim.control.addRecord(AUDIT, { 'Audit ID': 'A2', 'Employees Processed': 120 });
    const res = await aitable(sim).get(`${recordsPath(AUDIT)}?filterByFormula=${encodeURIComponent('{Employees Processed}=12')}`);
    expect(res.body.data.records.map((r: ApiRecord) => r.fields['Audit ID'])).toEqual(['A1']);
  });

  test('when "modified since" is asked with IS_AFTER or >, then only records updated after that instant come back', async () => {
    const all = (await sim.control.records(LEADS)) as ApiRecord[];
    const since = new Date(Math.max(...all.map((r) => r.updatedAt))).toISOString();
    // A later update must land on a later millisecond than `since`.
    const bob = all[1]?.recordId ?? '';
    let updated: number | undefined;
    while (updated === undefined || updated <= Date.parse(since)) {
      await sim.control.updateRecordAsUser(LEADS, bob, { Status: 'Contacted' });
      updated = (await sim.control.records(LEADS)).find((r) => r.recordId === bob)?.updatedAt;
    }
    for (const formula of [
      `IS_AFTER(LAST_MODIFIED_TIME(), "${since}")`,
      `LAST_MODIFIED_TIME() > "${since}"`,
      `LAST_MODIFIED_TIME()>DATETIME_PARSE('${since}')`,
    ]) {
      const res = await filter(formula);
      expect(names(res.body.data.records)).toEqual(['Bob']);
    }
  });

  test.each([['{Status}="Won" +'], ['FIND("a", {Client Name})'], ['{Status}="unterminated'], ['{Nope}="x"']])(
    'when the formula is %s, then HTTP 200 success:false code 400',
    async (formula) => {
      const res = await filter(formula);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: false, code: 400 });
    },
  );
});
