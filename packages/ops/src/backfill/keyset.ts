import { formulaString, type AitableClient, type AitableRecord } from '@bridge/aitable';
import { permanent } from '@bridge/errors';

/** A position in a datasheet's stable order: creation time (epoch ms), then record id. */
export interface RecordKey {
  createdAt: number;
  recordId: string;
}

export const keyOf = (r: Pick<AitableRecord, 'createdAt' | 'recordId'>): RecordKey => ({ createdAt: r.createdAt, recordId: r.recordId });

export const compareKeys = (a: RecordKey, b: RecordKey): number =>
  a.createdAt - b.createdAt || (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0);

/** Records after `k` in the stable order, as an AITable formula (`CREATED_TIME()`, `RECORD_ID()`). */
export function afterKey(k: RecordKey): string {
  const t = formulaString(new Date(k.createdAt).toISOString());
  return `OR(IS_AFTER(CREATED_TIME(), ${t}), AND(CREATED_TIME() = ${t}, RECORD_ID() > ${formulaString(k.recordId)}))`;
}

const and = (...parts: (string | undefined)[]): string | undefined => {
  const p = parts.filter((x): x is string => Boolean(x));
  return p.length === 0 ? undefined : p.length === 1 ? p[0] : `AND(${p.join(', ')})`;
};

/** One window of the scan: every record matching the filter in (after, upTo], sorted by key. */
export interface Window {
  records: AitableRecord[];
  /** Records matching the filter after `after` when the window was read, this window included. */
  remaining: number;
  /** The last key of the window: the scan continues after it. */
  upTo: RecordKey;
  /** When the window's first read was sent (epoch ms): its records are at least this fresh. */
  readAt: number;
}

/**
 * Streams the matching records of a datasheet in windows of at most `pageSize`, in the stable
 * order (creation time, record id), resuming after a key. Paging by page number would shift as
 * records change or vanish (a backfill's own write-backs change them); every request here asks
 * for "after the last key" instead, so nothing is skipped or read twice, whatever changes.
 *
 * AITable sorts only by fields, so the order of an answer is the view's (creation order unless
 * someone reordered it). A first read gives up to `pageSize` records after the key; when more
 * remain, a second read asks for everything up to the largest key among them, which is the
 * complete window whatever order AITable answered in (ties of creation time included), joined
 * with the first read's records up to that key. Should the window hold more than a page, it is
 * narrowed to the key halfway through the first read.
 */
export async function* scanWindows(
  aitable: Pick<AitableClient, 'listRecords'>,
  datasheetId: string,
  opts: { where?: string; after?: RecordKey | null; pageSize: number },
): AsyncGenerator<Window> {
  let after = opts.after ?? null;
  for (;;) {
    const filter = and(opts.where, after ? afterKey(after) : undefined);
    const readAt = Date.now();
    // Bulk: a live job's request waiting for the datasheet's limit goes first.
    const first = await aitable.listRecords(datasheetId, { filterByFormula: filter, pageSize: opts.pageSize, pageNum: 1 }, { bulk: true });
    const sorted = [...first.records].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    const last = sorted.at(-1);
    if (!last) return;
    // A service that ignored the "after" formula would hand the same records back for ever.
    if (after && compareKeys(keyOf(last), after) <= 0) {
      throw permanent(
        'backfill_unordered',
        `Datasheet ${datasheetId} answered records that are not after the checkpoint: its formulas do not compare CREATED_TIME() and RECORD_ID() as the backfill needs`,
        {
          details: { datasheetId, after },
        },
      );
    }
    if (first.total <= sorted.length) {
      yield { records: sorted, remaining: first.total, upTo: keyOf(last), readAt };
      return;
    }
    let upTo = keyOf(last);
    for (let cut = sorted.length; ;) {
      const window = await aitable.listRecords(
        datasheetId,
        { filterByFormula: and(filter, `NOT(${afterKey(upTo)})`), pageSize: opts.pageSize, pageNum: 1 },
        { bulk: true },
      );
      if (window.total <= window.records.length) {
        // The first read's records up to the cut matched when read; a record that left the filter
        // in between (a write-back) is still examined. The window's copy is the fresher one.
        const byId = new Map(sorted.slice(0, cut).map((r) => [r.recordId, r]));
        for (const r of window.records) byId.set(r.recordId, r);
        const records = [...byId.values()].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
        yield { records, remaining: first.total, upTo, readAt };
        break;
      }
      if (cut <= 1) {
        throw permanent(
          'backfill_unordered',
          `Datasheet ${datasheetId} cannot be read in a stable order: more than ${opts.pageSize} records share one position`,
          {
            details: { datasheetId, after },
          },
        );
      }
      cut = Math.ceil(cut / 2);
      upTo = keyOf(sorted[cut - 1]!);
    }
    after = upTo;
  }
}
