import { SimControlClient } from '../control/client';
import { newId } from '../ids';
import type { SendWebhookOptions } from './cli';
import { buildWebhookBody, webhookHeaders } from './event';

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
  let recordId = opts.recordId;
  if (!recordId && opts.simUrl) {
    const control = new SimControlClient(opts.simUrl);
    if (await control.health()) {
      recordId = (await control.addRecord(opts.datasheetId, opts.fields)).recordId;
      notes.push(`created ${recordId} in ${opts.datasheetId} on the simulators at ${opts.simUrl}`);
    } else {
      notes.push(`no simulators at ${opts.simUrl}: the new record exists only in this event`);
    }
  }
  recordId ??= newId('rec');
  const sent = buildWebhookBody({ eventType: opts.eventType, datasheetId: opts.datasheetId, recordId, record: { fields: opts.fields } }, opts.idsOnly);
  const res = await fetch(opts.url, {
    method: 'POST',
    headers: webhookHeaders(sent, opts.secret, opts.hmac),
    body: sent,
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  return { status: res.status, body: await res.text(), recordId, sent, notes };
}
