import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BoardHooks } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import { QUEUE_NAMES, type BridgeQueues } from '@bridge/queues';
import type { RequestHandler, Router } from 'express';

/** Where both boards live; which one answers depends on the role of the user. */
export const BOARD_PATH = '/admin/queues';

// Bull Board's answers are masked like every other (maskAnswers in app.ts), so editing a job or adding
// a copy of one from the board would write the masks (`j***@e***.com`) into real work. New work comes through ingest.
const WRITES_MASKED_DATA = new Set(['/api/queues/:queueName/add', '/api/queues/:queueName/:jobId/update-data']);

const hooks: BoardHooks = {
  before: ({ route }) =>
    WRITES_MASKED_DATA.has(route)
      ? { allow: false, status: 403, message: 'Job data is shown masked here, so adding or editing jobs from the board is disabled.' }
      : undefined,
};

function adapters(queues: BridgeQueues, readOnlyMode: boolean): BullMQAdapter[] {
  return QUEUE_NAMES.map((name) => new BullMQAdapter(queues[name], { readOnlyMode, allowRetries: !readOnlyMode }));
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

// Bull Board's page links Google Fonts; offline that request fails (a console error) and online it
// tells Google who opens the dashboard. Its CSS already falls back to the system fonts
// (`"IBM Plex Sans", system-ui, …`), so the link is dropped.
const GOOGLE_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

/**
 * Rewrites Bull Board's HTML page (not its JSON or assets) as it is sent, without the external
 * fonts: done on the answer rather than on a copy of its template, whose asset names change with every release.
 */
export const offlineBoardPage: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string' && /^\s*<!DOCTYPE html>/i.test(body)) {
      return send(body.replace(GOOGLE_FONTS, ''));
    }
    return send(body);
  };
  next();
};
