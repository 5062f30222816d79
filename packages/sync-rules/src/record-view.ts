import { selectValue, urlValue } from '@bridge/aitable';
import type { PortalCells } from './snapshot';

/** A record's cells, from the event or from the API, and which one. */
export interface RecordView {
  recordId: string;
  source: 'event' | 'api';
  fields: Record<string, unknown>;
  /** AITable's modification time of the record (epoch ms), when read from the API. */
  updatedAt?: number;
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
