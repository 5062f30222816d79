import { createHmac, randomInt } from 'node:crypto';

/** Which datasheet an event is about. */
export type EventKind = 'lead' | 'order' | 'audit';

/** The body the deployment guide tells users to put in the automation's "Send a web request" action. */
export interface WebhookEvent {
  eventType: string;
  datasheetId: string;
  recordId: string;
  record: { fields: Record<string, unknown> };
}

/** The simulators' default datasheet ids, also the bridge's demo configuration. */
export const DEFAULT_DATASHEET: Record<EventKind, string> = { lead: 'dstLeadsSim', order: 'dstOrdersSim', audit: 'dstAuditSim' };

const PEOPLE = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Tim Berners-Lee', 'Margaret Hamilton'];
const COMPANIES = ['Analytical Engines Ltd', 'Compiler Works', 'Bletchley Labs', 'Orbital Maths Inc', 'Hypertext GmbH', 'Apollo Software'];

/** Realistic fields for a new record of each kind, with the default field names, valid for the simulator's value rules. */
export function sampleFields(kind: EventKind, pick: (n: number) => number = randomInt): Record<string, unknown> {
  const n = pick(10_000);
  if (kind === 'lead') {
    const name = PEOPLE[pick(PEOPLE.length)] ?? 'Ada Lovelace';
    const company = COMPANIES[pick(COMPANIES.length)] ?? 'Analytical Engines Ltd';
    const domain = `${company.toLowerCase().replace(/[^a-z]+/g, '')}.example`;
    return {
      'Client Name': name,
      Email: `${name.split(' ')[0]?.toLowerCase()}.${n}@${domain}`,
      Phone: `+44 20 7946 ${String(n).padStart(4, '0')}`,
      Company: company,
      Status: 'New',
    };
  }
  if (kind === 'order') return { 'Order Number': `SO-${String(n).padStart(5, '0')}`, Status: 'Won' };
  return {
    'Audit ID': `AUD-${String(n).padStart(5, '0')}`,
    'File Name': `payroll-${n}.xlsx`,
    'Upload Date': new Date().toISOString(),
    'Employees Processed': 40 + (n % 200),
    'Corrections Made': n % 17,
    'Processing Status': 'Completed',
  };
}

/** `Name=value`: the value is JSON when it parses (numbers, arrays, booleans, `"quoted"`), text otherwise. */
export function parseFieldArg(arg: string): [string, unknown] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--field must look like "Field Name=value", got "${arg}"`);
  const raw = arg.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: plain text, as typed.
  }
  return [arg.slice(0, eq).trim(), value];
}

/**
 * The raw body exactly as sent. `idsOnly` gives `{"datasheetId","recordId"}`, the guide's curl test,
 * after which the bridge must fetch the record itself.
 */
export function buildWebhookBody(event: WebhookEvent, idsOnly = false): string {
  return JSON.stringify(idsOnly ? { datasheetId: event.datasheetId, recordId: event.recordId } : event);
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, what a signing relay puts in `X-AITable-Signature`. */
export function hmacSignature(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/**
 * The headers an AITable automation sends: the static secret itself by default (AITable cannot
 * sign), or an HMAC of the body when `hmac` is set.
 */
export function webhookHeaders(rawBody: string, secret: string, hmac: boolean): Record<string, string> {
  return { 'content-type': 'application/json', 'x-aitable-signature': hmac ? hmacSignature(rawBody, secret) : secret };
}
