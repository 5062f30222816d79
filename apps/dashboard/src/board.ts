import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BoardHooks } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import { maskEmailsInText, maskPersonalData } from '@bridge/ops';
import { QUEUE_NAMES, type BridgeQueues } from '@bridge/queues';
import type { Router } from 'express';

/** Where both boards live; which one answers depends on the role of the user. */
export const BOARD_PATH = '/admin/queues';

/** Deep copy with every email address inside a string masked (failure reasons, logs). */
function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return maskEmailsInText(value);
  if (Array.isArray(value)) return value.map(maskStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v)]));
  }
  return value;
}

// Bull Board only shows the masked data, so editing a job or adding a copy of one from the
// board would write the masks (`j***@e***.com`) into real work. New work comes through ingest.
const WRITES_MASKED_DATA = new Set(['/api/queues/:queueName/add', '/api/queues/:queueName/:jobId/update-data']);

const hooks: BoardHooks = {
  before: ({ route }) =>
    WRITES_MASKED_DATA.has(route)
      ? { allow: false, status: 403, message: 'Job data is shown masked here, so adding or editing jobs from the board is disabled.' }
      : undefined,
  // The data formatter masks by key; error texts and logs can quote an address too.
  after: (_ctx, result) => ({ ...result, body: maskStrings(result.body) as typeof result.body }),
};

function adapters(queues: BridgeQueues, readOnlyMode: boolean): BullMQAdapter[] {
  return QUEUE_NAMES.map((name) => {
    const adapter = new BullMQAdapter(queues[name], { readOnlyMode, allowRetries: !readOnlyMode });
    adapter.setFormatter('data', (data) => maskPersonalData(data));
    adapter.setFormatter('returnValue', (value) => maskPersonalData(value));
    return adapter;
  });
}

/**
 * One Bull Board per role at the same path. The viewer's board is built in read-only mode,
 * which makes Bull Board's own API refuse every action with 405 (not only hide the buttons).
 */
export function createBoards(queues: BridgeQueues): { viewer: Router; operator: Router } {
  const build = (readOnly: boolean) => {
    const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
    createBullBoard({
      queues: adapters(queues, readOnly),
      serverAdapter,
      options: { uiConfig: { boardTitle: readOnly ? 'aitable-bridge (read-only)' : 'aitable-bridge' }, handlerHooks: hooks },
    });
    return serverAdapter.getRouter() as Router;
  };
  return { viewer: build(true), operator: build(false) };
}
