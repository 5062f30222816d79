import { linkIds, selectValue } from '@bridge/aitable';
import type { OrderFields } from '@bridge/config';
import { permanent } from '@bridge/errors';
import { portalCells, type RecordView } from './record-view';
import { inputHash, type PortalCells } from './snapshot';

/** Order statuses that open the client's portal (besides a newly created order). */
export const ACTIVATING_STATUSES: ReadonlySet<string> = new Set(['Won', 'Active']);

/** What the order flow reads from an order record. */
export interface OrderInput {
  recordId: string;
  status: string | null;
  leadIds: string[];
  /** Hash of the inputs, to recognise an update that changed none of them. */
  hash: string;
  shown: PortalCells;
}

/** The names of the order fields the flow reads; an event carrying all of them is not re-fetched. */
export const orderInputFields = (f: OrderFields) => [f.status, f.lead];

export function orderInput(view: RecordView, f: OrderFields): OrderInput {
  const status = selectValue(view.fields[f.status]) ?? null;
  const leadIds = linkIds(view.fields[f.lead]);
  return { recordId: view.recordId, status, leadIds, hash: inputHash({ status, leadIds }), shown: portalCells(view, f) };
}

/** True when the order's status (or its creation) opens its lead's portal. */
export const activatesPortal = (order: Pick<OrderInput, 'status'>, created: boolean): boolean =>
  created || (order.status !== null && ACTIVATING_STATUSES.has(order.status));

/** The lead an order belongs to; without one its portal cannot be found, which no retry fixes. */
export function leadOfOrder(order: Pick<OrderInput, 'recordId' | 'leadIds'>, f: OrderFields, datasheetId: string): string {
  const leadRecordId = order.leadIds[0];
  if (!leadRecordId) {
    throw permanent(
      'order_missing_field',
      `Order ${order.recordId} (datasheet ${datasheetId}) has no lead in field "${f.lead}"; its portal cannot be found`,
      { details: { recordId: order.recordId, datasheetId, field: f.lead } },
    );
  }
  return leadRecordId;
}
