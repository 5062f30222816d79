import type { PrismaClient, Prisma, WebhookDelivery } from '@bridge/db';
import { permanent } from '@bridge/errors';
import { checkWindow } from '../time-window';

/** What ingest did with a delivery, as stored in `WebhookDelivery.outcome`. */
export const DELIVERY_OUTCOMES = ['accepted', 'duplicate', 'rejected'] as const;
export type DeliveryOutcomeName = (typeof DELIVERY_OUTCOMES)[number];
/** What a listing shows without an outcome filter: the deliveries someone may have to fix. */
export const DEFAULT_DELIVERY_OUTCOME: DeliveryOutcomeName = 'rejected';

export interface DeliveryFilter {
  /** @defaultValue `rejected` */
  outcome?: DeliveryOutcomeName;
  /** Rejection reason (`invalid_json`, `unknown_datasheet`, `signature`, ...). */
  reason?: string;
  datasheetId?: string;
  since?: Date;
  until?: Date;
  /** Only rejected deliveries whose body was kept and that were not replayed yet. */
  awaitingFix?: boolean;
  /** @defaultValue 100 */
  limit?: number;
}

/** A delivery as listed: no body (it is long, and read one at a time); `hasBody` says if one was kept. */
export interface DeliveryListItem {
  id: string;
  receivedAt: string;
  source: string;
  outcome: string;
  reason: string | null;
  detail: string | null;
  datasheetId: string | null;
  recordId: string | null;
  httpStatus: number;
  hasBody: boolean;
  replayedAt: string | null;
  replayJobId: string | null;
}

/** The listed form of a delivery row: no body. */
export function toListItem(d: WebhookDelivery): DeliveryListItem {
  return {
    id: d.id,
    receivedAt: d.receivedAt.toISOString(),
    source: d.source,
    outcome: d.outcome,
    reason: d.reason,
    detail: d.detail,
    datasheetId: d.datasheetId,
    recordId: d.recordId,
    httpStatus: d.httpStatus,
    hasBody: d.rawBody !== null,
    replayedAt: d.replayedAt?.toISOString() ?? null,
    replayJobId: d.replayJobId,
  };
}

/** Webhook deliveries matching every given filter, newest first. */
export async function listDeliveries(db: PrismaClient, filter: DeliveryFilter = {}): Promise<DeliveryListItem[]> {
  checkWindow(filter.since, filter.until);
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw permanent('invalid_argument', 'limit must be an integer from 1 to 1000', { httpStatus: 400, details: { field: 'limit' } });
  }
  const outcome = filter.outcome ?? DEFAULT_DELIVERY_OUTCOME;
  if (!DELIVERY_OUTCOMES.includes(outcome)) {
    throw permanent('invalid_argument', `outcome must be one of ${DELIVERY_OUTCOMES.join(', ')}`, {
      httpStatus: 400,
      details: { field: 'outcome' },
    });
  }
  const where: Prisma.WebhookDeliveryWhereInput = {
    outcome,
    ...(filter.reason ? { reason: filter.reason } : {}),
    ...(filter.datasheetId ? { datasheetId: filter.datasheetId } : {}),
    ...(filter.since || filter.until ? { receivedAt: { gte: filter.since, lte: filter.until } } : {}),
    ...(filter.awaitingFix ? { replayedAt: null, rawBody: { not: null } } : {}),
  };
  const rows = await db.webhookDelivery.findMany({ where, orderBy: { receivedAt: 'desc' }, take: limit });
  return rows.map(toListItem);
}
