import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BoardHooks } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import { createScheduledQueue, JOBS, QUEUE_NAMES, type BridgeQueues } from '@bridge/queues';
import { permanent } from '@bridge/errors';
import type { Queue } from 'bullmq';
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

/**
 * Every queue of the job catalog that Bull Board shows, in catalog order. The scheduled ones
 * (reconcile, retention) get a queue handle on the event queues' connection and prefix.
 */
function boardQueues(queues: BridgeQueues): Queue[] {
  const { connection, prefix = 'bull' } = queues[QUEUE_NAMES[0]!].opts;
  return Object.values(JOBS)
    .filter((def) => def.board)
    .map((def) => (def.kind === 'event' ? queues[def.name] : createScheduledQueue(def, { connection, prefix })) as Queue);
}

function adapters(queues: readonly Queue[], readOnlyMode: boolean): BullMQAdapter[] {
  return queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode }));
}

/**
 * One Bull Board per role at the same path. The viewer's board is built in read-only mode,
 * which makes Bull Board's own API refuse every action with 405 (not only hide the buttons).
 */
export function createBoards(queues: BridgeQueues): { viewer: Router; operator: Router } {
  const shown = boardQueues(queues);
  const build = (readOnly: boolean) => {
    const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
    createBullBoard({
      queues: adapters(shown, readOnly),
      serverAdapter,
      options: { uiConfig: { boardTitle: readOnly ? 'aitable-bridge (read-only)' : 'aitable-bridge' }, handlerHooks: hooks },
    });
    return serverAdapter.getRouter() as Router;
  };
  return { viewer: build(true), operator: build(false) };
}

/** The largest page Bull Board's own page-size setting offers ("Jobs per page (1-50)"). */
export const VIEWER_MAX_JOBS_PER_PAGE = 50;

/**
 * Viewers get at most the page Bull Board's settings offer: a hand-made `jobsPerPage=100000`
 * made one answer of megabytes, masked on the event loop. Operators are not limited.
 */
export const capViewerPageSize: RequestHandler = (req, _res, next) => {
  const asked = req.query.jobsPerPage;
  if (asked === undefined || Number(asked) <= VIEWER_MAX_JOBS_PER_PAGE) return next();
  next(
    permanent(
      'invalid_argument',
      `jobsPerPage must be at most ${VIEWER_MAX_JOBS_PER_PAGE} for viewers (got ${String(asked).slice(0, 20)})`,
      {
        httpStatus: 400,
        details: { field: 'jobsPerPage', max: VIEWER_MAX_JOBS_PER_PAGE },
      },
    ),
  );
};

// Bull Board's page links Google Fonts; offline that request fails (a console error) and online it
// tells Google who opens the dashboard. Its CSS already falls back to the system fonts
// (`"IBM Plex Sans", system-ui, …`), so the link is dropped.
const GOOGLE_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

// Bull Board pads its main area for the sidebar only once the sidebar is in the page
// (`aside + main`), and animates that padding over 0.2 s. The cards are often drawn first, so for
// the length of the animation (longer on a busy machine) the sidebar covers the first column of
// cards: what was reported at 1,400 px. Without the animation they move out from under it at once.
const NO_SIDEBAR_SLIDE = '<style>main{transition:none!important}</style>';

export const offlineBoardPage: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string' && /^\s*<!DOCTYPE html>/i.test(body)) {
      return send(body.replace(GOOGLE_FONTS, '').replace('</head>', `${NO_SIDEBAR_SLIDE}</head>`));
    }
    return send(body);
  };
  next();
};
