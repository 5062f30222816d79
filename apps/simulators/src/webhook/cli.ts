import { parseArgs } from 'node:util';
import { DEFAULT_DATASHEET, parseFieldArg, sampleFields, type EventKind } from './event';

export interface SendWebhookOptions {
  url: string;
  secret: string;
  hmac: boolean;
  kind: EventKind;
  eventType: string;
  datasheetId: string;
  /** Absent: a new record (created in the simulator when it answers, else a random id). */
  recordId?: string;
  fields: Record<string, unknown>;
  idsOnly: boolean;
  /** Simulators root URL to create the record in first; `null` never. */
  simUrl: string | null;
  timeoutMs: number;
}

export const USAGE = `Usage: npm run send-webhook -- --secret <secret> [options]
  --url <url>            ingest endpoint (default http://127.0.0.1:3000/api/aitable/webhook)
  --secret <s>           the shared secret (required)
  --hmac                 send sha256=<HMAC-SHA256 of the body> instead of the secret itself
  --type lead|order|audit  sample record kind (default lead)
  --event <type>         eventType (default record.created)
  --datasheet <dst…>     datasheet id (default per type: dstLeadsSim, dstOrdersSim, dstAuditSim)
  --record <rec…>        an existing recordId (default: a new record)
  --field "Name=value"   set a field (repeatable; JSON values such as 12 or ["rec…"] are parsed)
  --ids-only             send only {"datasheetId","recordId"}
  --sim <url>|off        simulators to create a new record in first (default http://127.0.0.1:4010)
  --timeout-ms <n>       give up after n ms (default 10000); there are no retries, as in AITable`;

const EVENT_TYPES = ['record.created', 'record.updated', 'record.deleted'];

/** Parses the CLI arguments; throws an Error naming the bad option. */
export function parseSendWebhookArgs(argv: string[]): SendWebhookOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000/api/aitable/webhook' },
      secret: { type: 'string' },
      hmac: { type: 'boolean', default: false },
      type: { type: 'string', default: 'lead' },
      event: { type: 'string', default: 'record.created' },
      datasheet: { type: 'string' },
      record: { type: 'string' },
      field: { type: 'string', multiple: true, default: [] },
      'ids-only': { type: 'boolean', default: false },
      sim: { type: 'string', default: 'http://127.0.0.1:4010' },
      'timeout-ms': { type: 'string', default: '10000' },
    },
  });
  if (!values.secret) throw new Error('--secret is required');
  const kind = values.type as EventKind;
  if (!(kind in DEFAULT_DATASHEET)) throw new Error(`--type must be lead, order or audit, got "${values.type}"`);
  if (!EVENT_TYPES.includes(values.event)) throw new Error(`--event must be one of ${EVENT_TYPES.join(', ')}, got "${values.event}"`);
  if (values.datasheet !== undefined && !/^dst\w+$/.test(values.datasheet)) throw new Error(`--datasheet must be a dst… id, got "${values.datasheet}"`);
  if (values.record !== undefined && !/^rec\w+$/.test(values.record)) throw new Error(`--record must be a rec… id, got "${values.record}"`);
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`--timeout-ms must be a positive integer, got "${values['timeout-ms']}"`);
  try {
    new URL(values.url);
  } catch {
    throw new Error(`--url must be a URL, got "${values.url}"`);
  }
  return {
    url: values.url,
    secret: values.secret,
    hmac: values.hmac,
    kind,
    eventType: values.event,
    datasheetId: values.datasheet ?? DEFAULT_DATASHEET[kind],
    recordId: values.record,
    fields: { ...sampleFields(kind), ...Object.fromEntries(values.field.map(parseFieldArg)) },
    idsOnly: values['ids-only'],
    simUrl: values.sim === 'off' ? null : values.sim,
    timeoutMs,
  };
}
