import { classifyDbError, type PrismaClient } from '@bridge/db';

/** When the newest delivery of each outcome was received (outcomes never seen are absent). */
export async function lastDeliveryTimes(db: PrismaClient): Promise<Record<string, Date>> {
  try {
    const rows = await db.$queryRaw<{ outcome: string; at: Date }[]>`
      SELECT "outcome"::text AS outcome, max("receivedAt") AS at FROM "WebhookDelivery" GROUP BY 1`;
    return Object.fromEntries(rows.map((r) => [r.outcome, r.at]));
  } catch (err) {
    throw classifyDbError(err);
  }
}
