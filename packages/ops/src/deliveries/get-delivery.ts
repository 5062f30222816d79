import type { PrismaClient, WebhookDelivery } from '@bridge/db';
import { permanent } from '@bridge/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One delivery by id; 400 for a malformed id, 404 when there is none. */
export async function getDelivery(db: PrismaClient, id: string): Promise<WebhookDelivery> {
  if (!UUID.test(id)) {
    throw permanent('invalid_argument', `delivery id must be a UUID; got "${id.slice(0, 60)}"`, {
      httpStatus: 400,
      details: { field: 'id' },
    });
  }
  const row = await db.webhookDelivery.findUnique({ where: { id } });
  if (!row) throw permanent('not_found', `no webhook delivery with id ${id}`, { httpStatus: 404 });
  return row;
}

/**
 * A delivery that can still be fixed and replayed: rejected, its body kept, not replayed yet.
 * Throws a 409 AppError saying why otherwise.
 */
export async function getFixableDelivery(db: PrismaClient, id: string): Promise<WebhookDelivery & { rawBody: string }> {
  const row = await getDelivery(db, id);
  if (row.outcome !== 'rejected') {
    throw permanent('not_fixable', `delivery ${id} was ${row.outcome}, not rejected: there is nothing to fix`, { httpStatus: 409 });
  }
  if (row.replayedAt) {
    throw permanent(
      'already_replayed',
      `delivery ${id} was already replayed at ${row.replayedAt.toISOString()} as job ${row.replayJobId ?? '?'}`,
      {
        httpStatus: 409,
        details: { replayJobId: row.replayJobId },
      },
    );
  }
  if (row.rawBody === null) {
    // Bodies are kept only once a delivery has passed authentication: an unauthenticated body
    // may come from anyone and is not ours to store or act on.
    throw permanent(
      'no_body',
      `delivery ${id} was rejected before authentication (${row.reason ?? 'unknown reason'}), so its body was not kept and it cannot be corrected or replayed; have the sender send it again with the right secret`,
      { httpStatus: 409 },
    );
  }
  return row as WebhookDelivery & { rawBody: string };
}
