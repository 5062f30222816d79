import { readFileSync } from 'node:fs';
import type { PrismaClient } from '@bridge/db';
import {
  correctDelivery,
  DEFAULT_DELIVERY_OUTCOME,
  getDelivery,
  listDeliveries,
  parseDeliveryFilter,
  replayDelivery,
  revalidateDelivery,
  toListItem,
  type DeliveryRules,
  type Validation,
} from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import type { Output } from './output';
import { EXIT, UsageError } from './usage';

export interface DeliveriesArgs {
  action?: string;
  id?: string;
  reason?: string;
  datasheet?: string;
  since?: string;
  until?: string;
  outcome?: string;
  awaitingFix: boolean;
  limit?: string;
  body?: string;
  bodyFile?: string;
  contentType?: string;
  json: boolean;
}

export interface DeliveriesDeps {
  db: PrismaClient;
  queues: BridgeQueues;
  datasheets: DeliveryRules;
  out: Output;
}

function needId(a: DeliveriesArgs): string {
  if (!a.id) throw new UsageError(`deliveries ${a.action ?? ''} needs the delivery id`);
  return a.id;
}

function readBody(a: DeliveriesArgs): string {
  if ((a.body === undefined) === (a.bodyFile === undefined))
    throw new UsageError('deliveries correct needs exactly one of --body TEXT or --body-file PATH (- for stdin)');
  if (a.body !== undefined) return a.body;
  try {
    return readFileSync(a.bodyFile === '-' ? 0 : a.bodyFile!, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --body-file ${a.bodyFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function reportValidation(out: Output, v: Validation, a: DeliveriesArgs, id: string, verb: string): number {
  if (a.json) out.json({ id, ...v });
  else if (v.ok)
    out.line(`${verb}: valid now; would be enqueued on "${v.queue}". Replay it with: npm run replay -- deliveries replay ${id}`);
  else out.line(`${verb}: still invalid (${v.reason}): ${v.message}`);
  return v.ok ? EXIT.ok : EXIT.someFailed;
}

/** `replay deliveries list|show|revalidate|correct|replay`. */
export async function runDeliveriesCommand(deps: DeliveriesDeps, a: DeliveriesArgs): Promise<number> {
  const { out } = deps;
  switch (a.action) {
    case 'list': {
      const filter = parseDeliveryFilter({ ...a });
      const outcome = filter.outcome ?? DEFAULT_DELIVERY_OUTCOME;
      const rows = await listDeliveries(deps.db, filter);
      if (a.json) out.json({ outcome, deliveries: rows });
      else {
        out.line(`${outcome} deliveries${filter.outcome ? '' : ' (the default; --outcome accepted|duplicate for the others)'}:`);
        out.table(
          ['received', 'id', 'source', 'reason', 'datasheet', 'record', 'body', 'replayed'],
          rows.map((d) => [
            d.receivedAt,
            d.id,
            d.source,
            d.reason ?? '',
            d.datasheetId ?? '',
            d.recordId ?? '',
            d.hasBody ? 'kept' : 'none',
            d.replayJobId ?? '',
          ]),
        );
        out.line(`${rows.length} ${outcome} deliver${rows.length === 1 ? 'y' : 'ies'}`);
      }
      return EXIT.ok;
    }
    case 'show': {
      const row = await getDelivery(deps.db, needId(a));
      const view = out.shown({ ...toListItem(row), requestId: row.requestId, contentType: row.contentType, rawBody: row.rawBody });
      // A masked body that was broken JSON can read as valid JSON: say that it is not the stored one.
      const rawBodyMasked = out.masked && row.rawBody !== null;
      if (a.json) out.json({ ...view, rawBodyMasked });
      else {
        for (const [k, v] of Object.entries(view)) if (k !== 'rawBody') out.line(`${k}: ${v ?? ''}`);
        const label = rawBodyMasked ? 'body (masked: personal data hidden; --show-personal-data prints it as stored)' : 'body';
        out.line(view.rawBody === null ? 'body: not kept (rejected before authentication)' : `${label}:\n${view.rawBody}`);
      }
      return EXIT.ok;
    }
    case 'revalidate':
      return reportValidation(out, await revalidateDelivery(deps.db, needId(a), deps.datasheets), a, needId(a), 'revalidated');
    case 'correct': {
      const id = needId(a);
      const v = await correctDelivery(
        deps.db,
        id,
        { rawBody: readBody(a), contentType: a.contentType, actor: 'replay-cli' },
        deps.datasheets,
      );
      return reportValidation(out, v, a, id, 'corrected');
    }
    case 'replay': {
      const r = await replayDelivery(deps.db, deps.queues, needId(a), deps.datasheets);
      if (a.json) out.json(r);
      else
        out.line(
          r.duplicate
            ? `already queued within the dedup window as job ${r.jobId} on "${r.queue}"; delivery marked replayed`
            : `enqueued job ${r.jobId} on "${r.queue}"`,
        );
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown deliveries action "${a.action ?? ''}": use list, show, revalidate, correct or replay`);
  }
}
