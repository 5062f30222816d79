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
  /** With `kind: 'order'`: the lead to link to; absent, one is found or made in the simulators. */
  leadId?: string;
}

/** The variables send-webhook takes its defaults from (the bridge's own, so one `.env` drives both). */
export type SendWebhookEnv = Partial<Record<'AITABLE_WEBHOOK_SECRET' | 'INGEST_PORT' | 'SIMULATORS_PORT', string>>;

/** Thrown for `--help`: not an error, the caller prints the usage and exits 0. */
export class HelpRequested extends Error {}

export const USAGE = `Usage: npm run send-webhook -- [options]
Sends one event the way an AITable automation does: one POST, static headers, no retry.

  --url <url>            ingest endpoint (default http://127.0.0.1:$INGEST_PORT/api/aitable/webhook, port 3000)
  --secret <s>           the shared secret (default: the first of $AITABLE_WEBHOOK_SECRET, from the environment,
                         .env or the .env.demo npm start writes)
  --hmac                 send sha256=<HMAC-SHA256 of the body> instead of the secret itself
  --type lead|order|audit  sample record kind (default lead)
  --lead <rec…>          with --type order: the lead it links to (default: the newest lead in the simulators,
                         or a new one created there)
  --event <type>         eventType (default record.created)
  --datasheet <dst…>     datasheet id (default per type: dstLeadsSim, dstOrdersSim, dstAuditSim)
  --record <rec…>        an existing recordId (default: a new record)
  --field "Name=value"   set a field (repeatable; JSON values such as 12 or ["rec…"] are parsed)
  --ids-only             send only {"datasheetId","recordId"}
  --sim <url>|off        simulators to create a new record in first (default http://127.0.0.1:$SIMULATORS_PORT, port 4010)
  --timeout-ms <n>       give up after n ms (default 10000); there are no retries, as in AITable
  -h, --help             this text

Audit results do not come from an automation: the audit engine POSTs them to /api/audit-results
with "Authorization: Bearer $AUDIT_API_TOKEN" (see the README).`;

const EVENT_TYPES = ['record.created', 'record.updated', 'record.deleted'];

/** Parses the CLI arguments; throws an Error naming the bad option, or HelpRequested. */
export function parseSendWebhookArgs(argv: string[], env: SendWebhookEnv = {}): SendWebhookOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string', default: `http://127.0.0.1:${env.INGEST_PORT || '3000'}/api/aitable/webhook` },
      secret: { type: 'string', default: env.AITABLE_WEBHOOK_SECRET?.split(',')[0]?.trim() || undefined },
      hmac: { type: 'boolean', default: false },
      type: { type: 'string', default: 'lead' },
      event: { type: 'string', default: 'record.created' },
      datasheet: { type: 'string' },
      record: { type: 'string' },
      lead: { type: 'string' },
      field: { type: 'string', multiple: true, default: [] },
      'ids-only': { type: 'boolean', default: false },
      sim: { type: 'string', default: `http://127.0.0.1:${env.SIMULATORS_PORT || '4010'}` },
      'timeout-ms': { type: 'string', default: '10000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new HelpRequested();
  if (!values.secret)
    throw new Error(
      '--secret is required (or set AITABLE_WEBHOOK_SECRET in the environment or .env, or run npm start, which writes .env.demo)',
    );
  const kind = values.type as EventKind;
  if (!(kind in DEFAULT_DATASHEET)) throw new Error(`--type must be lead, order or audit, got "${values.type}"`);
  if (!EVENT_TYPES.includes(values.event)) throw new Error(`--event must be one of ${EVENT_TYPES.join(', ')}, got "${values.event}"`);
  if (values.datasheet !== undefined && !/^dst\w+$/.test(values.datasheet))
    throw new Error(`--datasheet must be a dst… id, got "${values.datasheet}"`);
  for (const opt of ['record', 'lead'] as const) {
    const v = values[opt];
    if (v !== undefined && !/^rec\w+$/.test(v)) throw new Error(`--${opt} must be a rec… id, got "${v}"`);
  }
  if (values.lead !== undefined && kind !== 'order') throw new Error('--lead goes with --type order');
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new Error(`--timeout-ms must be a positive integer, got "${values['timeout-ms']}"`);
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
    ...(values.lead ? { leadId: values.lead } : {}),
  };
}
