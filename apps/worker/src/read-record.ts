import type { AitableEventJob } from '@bridge/queues';
import { selectValue, urlValue } from '@bridge/aitable';
import type { WorkerDeps } from './deps';
import type { PortalCells } from './snapshot';

/** A record's cells, from the event or from the API, and which one. */
export interface RecordView {
  recordId: string;
  source: 'event' | 'api';
  fields: Record<string, unknown>;
  /** AITable's modification time of the record (epoch ms), when read from the API. */
  updatedAt?: number;
}

/**
 * The record as the event carried it when it has every field the flow needs, else fetched
 * from AITable (events with only ids, or automation templates that leave fields out).
 * An unknown record is a permanent error from the client.
 */
export async function readRecord(
  deps: Pick<WorkerDeps, 'aitable'>,
  event: Pick<AitableEventJob, 'recordId' | 'fields'>,
  datasheetId: string,
  needed: readonly string[],
): Promise<RecordView> {
  const carried = event.fields;
  if (carried && needed.every((name) => name in carried)) return { recordId: event.recordId, source: 'event', fields: carried };
  return fetchRecord(deps, datasheetId, event.recordId);
}

export async function fetchRecord(deps: Pick<WorkerDeps, 'aitable'>, datasheetId: string, recordId: string): Promise<RecordView> {
  const record = await deps.aitable.getRecord(datasheetId, recordId);
  return { recordId, source: 'api', fields: record.fields, updatedAt: record.updatedAt };
}

/** A cell read by `read`; `undefined` when an event did not carry it, `null` when empty (the API leaves empty cells out). */
export function shownCell(view: RecordView, name: string, read: (v: unknown) => string | undefined): string | null | undefined {
  if (!(name in view.fields)) return view.source === 'api' ? null : undefined;
  return read(view.fields[name]) ?? null;
}

/** The `Portal URL` / `Portal Status` cells of a lead or order. */
export function portalCells(view: RecordView, names: { portalUrl: string; portalStatus: string }): PortalCells {
  return { url: shownCell(view, names.portalUrl, urlValue), status: shownCell(view, names.portalStatus, selectValue) };
}
