import type { Express } from 'express';
import { createServer, type Server } from 'node:http';
import request, { type Response } from 'supertest';
import { CODES, type Wire } from './fuzz-cases';
import { startHarness, type Harness } from './harness';

/** Sends a Buffer body byte for byte: superagent would JSON-encode it (`{"type":"Buffer",...}`) under a JSON content type. */
const asIs = (body: Buffer) => body as unknown as string;

/** One server for every case: supertest given the bare app would start a server per request. */
function listening(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(app).listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The app of a fuzz file: its own harness (database, queue prefix) with the given body limit, behind one server. */
export function frontDoor(bodyLimit: number): { h: Harness; server: Server } {
  const door = {} as { h: Harness; server: Server };
  beforeAll(async () => {
    // Thousands of deliberately unauthenticated cases from one address: the per-source limit
    // (unauthenticated-limits.test.ts) would answer them 429 instead of the answer each class is checked for.
    door.h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: String(bodyLimit), LOG_LEVEL: 'error', INGEST_UNAUTH_LIMIT: '1000000' });
    door.server = await listening(door.h.app);
  });
  afterAll(async () => {
    door.server.close();
    await door.h.close();
  });
  return door;
}

/** Sends one generated case and checks the answer against its class. */
export async function sendCase(
  server: Server,
  path: string,
  w: Wire,
  jobs: { count: number },
  countJobs: () => Promise<number>,
): Promise<void> {
  const req = request(server).post(path);
  for (const [k, v] of Object.entries(w.headers)) req.set(k, v);
  await checkAnswer(w, await req.serialize(asIs).send(w.body), jobs, countJobs);
}

/**
 * The properties every answer must have: below 500; the status of the input's class; a 4xx
 * body with an error code of that status and a message naming the problem; a new job exactly
 * when a valid input was accepted and was not a duplicate, none otherwise.
 */
async function checkAnswer(w: Wire, res: Response, jobs: { count: number }, countJobs: () => Promise<number>): Promise<void> {
  const fail = (why: string) => {
    throw new Error(`${w.kind}: ${why}; answered ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
  };
  if (res.status >= 500) fail('a 5xx');
  if (res.status !== w.expected) fail(`expected ${w.expected}`);
  if (res.status === 202) {
    if (res.body.accepted !== true || typeof res.body.jobId !== 'string') fail('a 202 without a job id');
    if (res.body.duplicate !== true) jobs.count++;
  } else {
    const { error, message } = res.body as { error?: unknown; message?: unknown };
    if (!CODES[w.expected as keyof typeof CODES].includes(String(error)))
      fail(`an error code other than ${CODES[w.expected as keyof typeof CODES].join('/')}`);
    if (typeof message !== 'string' || message.length < 10) fail('no message');
    if (w.names && !String(message).includes(w.names)) fail(`a message not naming ${w.names}`);
  }
  const now = await countJobs();
  if (now !== jobs.count) fail(`${now - jobs.count} more jobs than valid input made`);
}
