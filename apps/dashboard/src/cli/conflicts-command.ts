import type { PrismaClient } from '@bridge/db';
import { conflict, conflicts, parseConflictFilter, resolveConflict } from '@bridge/ops';
import type { BridgeQueues } from '@bridge/queues';
import type { Output } from './output';
import { EXIT, UsageError } from './usage';

export interface ConflictsArgs {
  action?: string;
  id?: string;
  record?: string;
  limit?: string;
  open: boolean;
  take?: string;
  json: boolean;
}

/** `replay conflicts list|show|resolve`. */
export async function runConflictsCommand(
  deps: { db: PrismaClient; queues: BridgeQueues; out: Output },
  a: ConflictsArgs,
): Promise<number> {
  const { out } = deps;
  const needId = () => {
    if (!a.id) throw new UsageError(`conflicts ${a.action ?? ''} needs the conflict id`);
    return a.id;
  };
  switch (a.action) {
    case 'list': {
      const rows = out.shown(
        await conflicts(deps.db, parseConflictFilter({ state: a.open ? 'open' : 'all', recordId: a.record, limit: a.limit })),
      );
      if (a.json) out.json({ conflicts: rows });
      else {
        out.table(
          ['detected', 'id', 'record', 'field', 'AITable value', 'bridge value', 'MissionX value', 'policy', 'outcome'],
          rows.map((c) => [
            c.detectedAt,
            c.id,
            c.recordId,
            c.field,
            c.aitableValue ?? '',
            c.bridgeValue ?? '',
            c.missionxValue ?? '',
            c.policy,
            c.outcome,
          ]),
        );
        out.line(`${rows.length} conflict${rows.length === 1 ? '' : 's'}`);
      }
      return EXIT.ok;
    }
    case 'show': {
      const view = out.shown(await conflict(deps.db, needId()));
      if (a.json) out.json(view);
      else for (const [k, v] of Object.entries(view)) out.line(`${k}: ${v ?? ''}`);
      return EXIT.ok;
    }
    case 'resolve': {
      if (a.take !== 'aitable' && a.take !== 'missionx') throw new UsageError('conflicts resolve needs --take aitable or --take missionx');
      const r = await resolveConflict(deps.db, deps.queues, needId(), a.take, 'replay-cli');
      if (a.json) out.json(r);
      else out.line(`conflict ${r.id} ${r.outcome}${r.jobId ? `; enqueued job ${r.jobId} to write the bridge's value back` : ''}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown conflicts action "${a.action ?? ''}": use list, show or resolve`);
  }
}
