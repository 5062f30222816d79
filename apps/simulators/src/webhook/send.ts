import { DEFAULT_FIELDS } from '@bridge/config';
import { SimControlClient } from '../control/client';
import { newId } from '../ids';
import type { SendWebhookOptions } from './cli';
import { buildWebhookBody, DEFAULT_DATASHEET, sampleFields, webhookHeaders } from './event';

export interface SendResult {
  status: number;
  body: string;
  recordId: string;
  /** The raw body sent. */
  sent: string;
  /** What happened before sending, for the user. */
  notes: string[];
}

/**
 * Sends one event the way an AITable automation does: one POST, static headers, no retry.
 * A new record is first created in the simulators when they answer, so the bridge finds it there
 * when it reads or writes the record back.
 */
export async function sendWebhook(opts: SendWebhookOptions): Promise<SendResult> {
  const notes: string[] = [];
  const control = opts.simUrl ? new SimControlClient(opts.simUrl) : undefined;
  const simUp = control ? await control.health() : false;
  if (control && !simUp) notes.push(`no simulators at ${opts.simUrl}: the new record exists only in this event`);
  const fields = { ...opts.fields };
  if (opts.kind === 'order' && !(ORDER_LEAD_FIELD in fields)) {
    const leadId = opts.leadId ?? (simUp && control ? await leadToLink(control, notes) : undefined);
    if (leadId) fields[ORDER_LEAD_FIELD] = [leadId];
    else notes.push(`the order links to no lead (no --lead, no simulators): the bridge will answer order_missing_field`);
  }
  let recordId = opts.recordId;
  if (!recordId && simUp && control) {
    recordId = (await control.addRecord(opts.datasheetId, fields)).recordId;
    notes.push(`created ${recordId} in ${opts.datasheetId} on the simulators at ${opts.simUrl}`);
  }
  recordId ??= newId('rec');
  const sent = buildWebhookBody({ eventType: opts.eventType, datasheetId: opts.datasheetId, recordId, record: { fields } }, opts.idsOnly);
  const res = await fetch(opts.url, {
    method: 'POST',
    headers: webhookHeaders(sent, opts.secret, opts.hmac),
    body: sent,
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  return { status: res.status, body: await res.text(), recordId, sent, notes };
}

/** The link field of the seeded Orders datasheet: the bridge's default order field mapping. */
const ORDER_LEAD_FIELD = DEFAULT_FIELDS.order.lead;

/** An order needs a lead to find its portal: the newest lead in the simulators, or a new one. */
async function leadToLink(control: SimControlClient, notes: string[]): Promise<string> {
  const newest = (await control.records(DEFAULT_DATASHEET.lead)).at(-1);
  if (newest) {
    notes.push(`linked the order to the newest lead, ${newest.recordId} (--lead to choose another)`);
    return newest.recordId;
  }
  const { recordId } = await control.addRecord(DEFAULT_DATASHEET.lead, sampleFields('lead'));
  notes.push(`no lead in the simulators yet: created ${recordId} to link the order to (send it as a lead to give it a portal)`);
  return recordId;
}
