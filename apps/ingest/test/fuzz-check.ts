import type { Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { Response } from 'supertest';
import { CODES, type Wire } from './fuzz-cases';

/** Sends a Buffer body byte for byte: superagent would JSON-encode it (`{"type":"Buffer",...}`) under a JSON content type. */
export const asIs = (body: Buffer) => body as unknown as string;

/** One server for every case: supertest given the bare app would start a server per request. */
export function listening(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(app).listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * The properties every answer must have: below 500; the status of the input's class; a 4xx
 * body with an error code of that status and a message naming the problem; a new job exactly
 * when a valid input was accepted and was not a duplicate, none otherwise.
 */
export async function checkAnswer(w: Wire, res: Response, jobs: { count: number }, countJobs: () => Promise<number>): Promise<void> {
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
    if (!CODES[w.expected as keyof typeof CODES].includes(String(error))) fail(`an error code other than ${CODES[w.expected as keyof typeof CODES].join('/')}`);
    if (typeof message !== 'string' || message.length < 10) fail('no message');
    if (w.names && !String(message).includes(w.names)) fail(`a message not naming ${w.names}`);
  }
  const now = await countJobs();
  if (now !== jobs.count) fail(`${now - jobs.count} more jobs than valid input made`);
}
