import type { PrismaClient, SyncConflict } from './client';
import { classifyDbError } from './errors';
import { pgText } from './pg-text';

export type ConflictOutcome = 'restored' | 'adopted' | 'held' | 'resolved_aitable' | 'resolved_missionx';

export interface NewConflict {
  datasheetId: string;
  recordId: string;
  field: string;
  aitableValue: string | null;
  aitableAt: Date | null;
  bridgeValue: string | null;
  bridgeAt: Date | null;
  /** What MissionX changed the fact to since the last sync, and when; absent when only AITable changed. */
  missionxValue?: string | null;
  missionxAt?: Date | null;
  policy: string;
  outcome: ConflictOutcome;
}

export interface ConflictFilter {
  /** `open`: held ones waiting for an operator. */
  state?: 'open' | 'all';
  recordId?: string;
  limit?: number;
}

const VALUE_MAX = 2000;
const value = (v: string | null) => (v === null ? null : pgText(v, VALUE_MAX));

async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyDbError(err);
  }
}

export function recordConflict(db: PrismaClient, c: NewConflict): Promise<SyncConflict> {
  return classified(() =>
    db.syncConflict.create({
      data: { ...c, aitableValue: value(c.aitableValue), bridgeValue: value(c.bridgeValue), missionxValue: value(c.missionxValue ?? null) },
    }),
  );
}

/** Who closed a held conflict that MissionX settled by changing the fact to AITable's value. */
export const AGREED_BY = 'bridge: MissionX agreed';

/**
 * MissionX changed a fact whose field is held for an operator: its value and time go on the held
 * conflict (only while held: the update is conditional), so the operator sees both sides and
 * "take MissionX" writes what MissionX says now, not what the bridge last wrote. When MissionX's
 * value is the one AITable shows (`agreed`), both sides agree and the conflict is closed for
 * AITable's value. Answers whether the conflict was held.
 */
export function noteMissionxSide(
  db: PrismaClient,
  id: string,
  missionxValue: string,
  missionxAt: Date | null,
  agreed = false,
): Promise<boolean> {
  return classified(async () => {
    const { count } = await db.syncConflict.updateMany({
      where: { id, outcome: 'held' },
      data: {
        missionxValue: value(missionxValue),
        missionxAt,
        ...(agreed ? { outcome: 'resolved_aitable', resolvedAt: new Date(), resolvedBy: AGREED_BY } : {}),
      },
    });
    return count === 1;
  });
}

/** The latest conflict of one field of one record: a held one is not recorded again at every event. */
export function latestConflict(db: PrismaClient, datasheetId: string, recordId: string, field: string): Promise<SyncConflict | null> {
  return classified(() => db.syncConflict.findFirst({ where: { datasheetId, recordId, field }, orderBy: { detectedAt: 'desc' } }));
}

export function listConflicts(db: PrismaClient, f: ConflictFilter = {}): Promise<SyncConflict[]> {
  return classified(() =>
    db.syncConflict.findMany({
      where: { ...(f.state === 'open' ? { outcome: 'held' } : {}), ...(f.recordId ? { recordId: f.recordId } : {}) },
      orderBy: { detectedAt: 'desc' },
      take: Math.min(Math.max(f.limit ?? 100, 1), 1000),
    }),
  );
}

export function getConflict(db: PrismaClient, id: string): Promise<SyncConflict | null> {
  return classified(() => db.syncConflict.findUnique({ where: { id } }));
}

/**
 * Closes a held conflict with an operator's choice; answers null when it was not held (resolved
 * already, by another operator at the same moment too: the update is conditional).
 */
export async function closeConflict(
  db: PrismaClient,
  id: string,
  outcome: 'resolved_aitable' | 'resolved_missionx',
  actor: string,
): Promise<SyncConflict | null> {
  return classified(async () => {
    const { count } = await db.syncConflict.updateMany({
      where: { id, outcome: 'held' },
      data: { outcome, resolvedAt: new Date(), resolvedBy: pgText(actor, 200) },
    });
    return count === 1 ? db.syncConflict.findUnique({ where: { id } }) : null;
  });
}
