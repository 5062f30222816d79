import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runScript } from '@bridge/testkit';
import express from 'express';
import {
  buildWebhookBody,
  hmacSignature,
  parseFieldArg,
  parseSendWebhookArgs,
  SEND_WEBHOOK_USAGE,
  sendWebhook,
  webhookHeaders,
  type RunningSimulators,
  type SendWebhookOptions,
} from '../src';
import { LEADS, ORDERS, startTestSimulators } from './support';

interface Received {
  headers: Record<string, unknown>;
  raw: string;
}

/** A stand-in for the ingest endpoint: answers `status` and keeps what it received. */
let receiver: { url: string; received: Received[]; status: number; server: Server };
let sim: RunningSimulators;

beforeAll(async () => {
  sim = await startTestSimulators();
  const app = express();
  const state = { received: [] as Received[], status: 202 };
  app.post('/api/aitable/webhook', express.raw({ type: '*/*' }), (req, res) => {
    state.received.push({ headers: req.headers, raw: (req.body as Buffer).toString('utf8') });
    res.status(state.status).json({ accepted: state.status < 300 });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  receiver = Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/aitable/webhook` });
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => receiver.server.close(r));
});
beforeEach(async () => {
  await sim.control.reset();
  receiver.received = [];
  receiver.status = 202;
});

const options = (over: Partial<SendWebhookOptions> = {}): SendWebhookOptions => ({
  ...parseSendWebhookArgs(['--secret', 'local-demo-webhook-secret', '--url', receiver.url, '--sim', sim.url]),
  ...over,
});

describe('send-webhook pure parts', () => {
  test('when only --secret is given, then a new lead event goes to the local ingest with the static secret and the simulators', () => {
    const opts = parseSendWebhookArgs(['--secret', 'X']);
    expect(opts).toMatchObject({
      url: 'http://127.0.0.1:3000/api/aitable/webhook',
      secret: 'X',
      hmac: false,
      kind: 'lead',
      eventType: 'record.created',
      datasheetId: 'dstLeadsSim',
      idsOnly: false,
      simUrl: 'http://127.0.0.1:4010',
      timeoutMs: 10_000,
    });
    expect(opts.recordId).toBeUndefined();
    expect(Object.keys(opts.fields)).toEqual(['Client Name', 'Email', 'Phone', 'Company', 'Status']);
    expect(opts.fields.Email).toMatch(/^[a-z]+\.\d+@[a-z]+\.example$/);
  });

  test('when type, event, datasheet, record and fields are given, then they override the defaults', () => {
    const opts = parseSendWebhookArgs([
      '--secret',
      'X',
      '--type',
      'order',
      '--event',
      'record.updated',
      '--datasheet',
      'dstMine',
      '--record',
      'recMine',
      '--field',
      'Lead=["recL"]',
      '--field',
      'Status=Active',
      '--sim',
      'off',
      '--hmac',
      '--ids-only',
    ]);
    expect(opts).toMatchObject({
      kind: 'order',
      eventType: 'record.updated',
      datasheetId: 'dstMine',
      recordId: 'recMine',
      simUrl: null,
      hmac: true,
      idsOnly: true,
    });
    expect(opts.fields).toMatchObject({ Lead: ['recL'], Status: 'Active', 'Order Number': expect.stringMatching(/^SO-\d{5}$/) });
  });

  test.each([
    [[], /--secret is required/],
    [['--secret', 'X', '--type', 'invoice'], /--type/],
    [['--secret', 'X', '--event', 'record.moved'], /--event/],
    [['--secret', 'X', '--field', 'no-equals-sign'], /--field/],
    [['--secret', 'X', '--record', 'abc'], /--record/],
    [['--secret', 'X', '--bogus'], /bogus/],
  ])('when the arguments are %j, then parsing fails naming the option', (argv, message) => {
    expect(() => parseSendWebhookArgs(argv)).toThrow(message);
  });

  test("when the bridge's variables are set, then the secret (the first of a rotation list), ingest port and simulators port default to them", () => {
    const opts = parseSendWebhookArgs([], { AITABLE_WEBHOOK_SECRET: 'new-one, old-one', INGEST_PORT: '3100', SIMULATORS_PORT: '4100' });
    expect(opts).toMatchObject({ secret: 'new-one', url: 'http://127.0.0.1:3100/api/aitable/webhook', simUrl: 'http://127.0.0.1:4100' });
    expect(parseSendWebhookArgs(['--secret', 'given'], { AITABLE_WEBHOOK_SECRET: 'env' }).secret).toBe('given');
  });

  test('when --lead is given without --type order, or is not a rec… id, then parsing fails naming it', () => {
    expect(() => parseSendWebhookArgs(['--secret', 'X', '--lead', 'recL1'])).toThrow('--lead goes with --type order');
    expect(() => parseSendWebhookArgs(['--secret', 'X', '--type', 'order', '--lead', 'L1'])).toThrow('--lead must be a rec… id');
  });

  test('when field values look like JSON, then they are parsed; otherwise they stay text', () => {
    expect(parseFieldArg('Employees Processed=12')).toEqual(['Employees Processed', 12]);
    expect(parseFieldArg('Phone="0123"')).toEqual(['Phone', '0123']);
    expect(parseFieldArg('Email=a@b.com')).toEqual(['Email', 'a@b.com']);
    expect(parseFieldArg('Note=x=y')).toEqual(['Note', 'x=y']);
  });

  test('when the body is built, then it is the deployment guide body, or only the ids with idsOnly', () => {
    const event = { eventType: 'record.created', datasheetId: 'dstA', recordId: 'recB', record: { fields: { Email: 'a@b.c' } } };
    expect(JSON.parse(buildWebhookBody(event))).toEqual(event);
    expect(buildWebhookBody(event, true)).toBe('{"datasheetId":"dstA","recordId":"recB"}');
  });

  test('when signing, then the HMAC is the known SHA-256 vector and the static header is the secret itself', () => {
    expect(hmacSignature('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    expect(webhookHeaders('{}', 's3cret', false)['x-aitable-signature']).toBe('s3cret');
    expect(webhookHeaders('{}', 's3cret', true)['x-aitable-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('send-webhook over HTTP', () => {
  test('when a new lead is sent with the simulators up, then the record is created there first and the event names it', async () => {
    const result = await sendWebhook(options());
    expect(result.status).toBe(202);
    const [stored] = await sim.control.records(LEADS);
    expect(stored?.recordId).toBe(result.recordId);
    const [got] = receiver.received;
    expect(JSON.parse(got?.raw ?? '')).toEqual({
      eventType: 'record.created',
      datasheetId: LEADS,
      recordId: result.recordId,
      record: { fields: stored?.fields },
    });
    expect(got?.headers['x-aitable-signature']).toBe('local-demo-webhook-secret');
    expect(got?.headers['content-type']).toBe('application/json');
  });

  test('when --hmac is set, then the header is the HMAC of the exact bytes received', async () => {
    await sendWebhook(options({ hmac: true }));
    const [got] = receiver.received;
    expect(got?.headers['x-aitable-signature']).toBe(hmacSignature(got?.raw ?? '', 'local-demo-webhook-secret'));
  });

  test('when the simulators are off and no record is given, then a random rec id is sent and nothing is created', async () => {
    const result = await sendWebhook(options({ simUrl: null, idsOnly: true }));
    expect(result.recordId).toMatch(/^rec[A-Za-z0-9]{10}$/);
    expect(JSON.parse(receiver.received[0]?.raw ?? '')).toEqual({ datasheetId: LEADS, recordId: result.recordId });
    expect(await sim.control.records(LEADS)).toEqual([]);
  });

  test('when an order is sent, then it links to the newest lead in the simulators, in the record and in the event', async () => {
    const older = await sim.control.addRecord(LEADS, { 'Client Name': 'Older' });
    const newest = await sim.control.addRecord(LEADS, { 'Client Name': 'Newest' });
    const result = await sendWebhook(
      options(parseSendWebhookArgs(['--secret', 'X', '--type', 'order', '--url', receiver.url, '--sim', sim.url])),
    );
    expect(older.recordId).not.toBe(newest.recordId);
    const order = (await sim.control.records(ORDERS)).find((r) => r.recordId === result.recordId);
    expect(order?.fields.Lead).toEqual([newest.recordId]);
    expect((JSON.parse(receiver.received[0]?.raw ?? '') as { record: { fields: unknown } }).record.fields).toMatchObject({
      Lead: [newest.recordId],
    });
    expect(result.notes.join('\n')).toContain(`linked the order to the newest lead, ${newest.recordId}`);
  });

  test('when an order is sent and there is no lead yet, then one is created to link to; --lead picks one instead', async () => {
    const made = await sendWebhook(
      options(parseSendWebhookArgs(['--secret', 'X', '--type', 'order', '--url', receiver.url, '--sim', sim.url])),
    );
    const [lead] = await sim.control.records(LEADS);
    expect(lead?.fields['Client Name']).toEqual(expect.any(String));
    expect((await sim.control.records(ORDERS)).find((r) => r.recordId === made.recordId)?.fields.Lead).toEqual([lead?.recordId]);

    const chosen = await sim.control.addRecord(LEADS, { 'Client Name': 'Chosen' });
    await sim.control.addRecord(LEADS, { 'Client Name': 'Newer' });
    const picked = await sendWebhook(
      options(
        parseSendWebhookArgs(['--secret', 'X', '--type', 'order', '--lead', chosen.recordId, '--url', receiver.url, '--sim', sim.url]),
      ),
    );
    expect((await sim.control.records(ORDERS)).find((r) => r.recordId === picked.recordId)?.fields.Lead).toEqual([chosen.recordId]);
  });

  test('when the endpoint answers an error, then it is sent once, without a retry', async () => {
    receiver.status = 500;
    const result = await sendWebhook(options({ recordId: 'recGiven' }));
    expect(result.status).toBe(500);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('send-webhook CLI', () => {
  // A clean environment and an empty working directory: no AITABLE_WEBHOOK_SECRET, no .env.
  const cli = async (args: string[]) => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'send-webhook-'));
    const r = await runScript('apps/simulators/src/send-webhook.ts', ['--url', receiver.url, '--sim', 'off', ...args], { env: {}, cwd });
    return { code: r.code, stdout: r.code === 0 ? r.stdout : r.stdout + r.stderr };
  };

  test('when the endpoint answers 2xx, then the CLI prints the status and body and exits 0; otherwise it exits 1', async () => {
    const ok = await cli(['--secret', 'X']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/HTTP 202\n\{"accepted":true\}/);
    receiver.status = 401;
    const rejected = await cli(['--secret', 'X']);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('HTTP 401');
    const usage = await cli([]);
    expect(usage.code).toBe(1);
    expect(usage.stdout).toContain('--secret is required');
  });

  test('when --help is given, then it prints the usage and exits 0', async () => {
    const help = await cli(['--help']);
    expect(help).toEqual({ code: 0, stdout: `${SEND_WEBHOOK_USAGE}\n` });
  });
});
