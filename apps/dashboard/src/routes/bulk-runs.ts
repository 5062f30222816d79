import path from 'node:path';
import type { PrismaClient } from '@bridge/db';
import { permanent } from '@bridge/errors';
import { getBulkRun, listBulkRuns, parseBulkRunRequest, type BulkRunner } from '@bridge/ops';
import { Router } from 'express';
import { principalOf, requireOperator } from '../auth';
import { renderBulkRunsPage } from '../views/bulk-runs-page';

const SCRIPT = path.resolve(__dirname, '../../public/bulk-runs.js');

const unavailable = () =>
  permanent(
    'bulk_runs_unavailable',
    'Bulk runs need the AITable API: set AITABLE_API_KEY (and AITABLE_BASE_URL if not the default) for the dashboard and restart it.',
    { httpStatus: 503 },
  );

/**
 * Bulk runs (issue 17): backfills and re-syncs an operator starts, watches, cancels and starts
 * again. Everyone reads them (`GET /api/bulk-runs`, `/api/bulk-runs/:id`, the page); the
 * actions need the operator role, and pass sameOriginOnly like every state-changing route.
 * Without an AITable API key the runs are still listed, and starting one answers 503.
 */
export function bulkRunRoutes(db: PrismaClient, runner: BulkRunner | undefined): Router {
  const r = Router();
  const need = (): BulkRunner => {
    if (!runner) throw unavailable();
    return runner;
  };
  r.get('/api/bulk-runs', async (_req, res) => {
    res.json({ available: runner !== undefined, runs: runner ? await runner.list() : await listBulkRuns(db) });
  });
  r.get('/api/bulk-runs/:id', async (req, res) => {
    res.json(runner ? await runner.get(String(req.params.id)) : await getBulkRun(db, String(req.params.id)));
  });
  // Body: JSON {kind, datasheet, where?, errorCode?, since?, until?, recordIds?} (see parseBulkRunRequest).
  r.post('/api/bulk-runs', requireOperator, async (req, res) => {
    const request = parseBulkRunRequest(req.body);
    res.status(201).json(await need().start(request, principalOf(res).name));
  });
  r.post('/api/bulk-runs/:id/cancel', requireOperator, async (req, res) => {
    res.json(await need().cancel(String(req.params.id), principalOf(res).name));
  });
  r.post('/api/bulk-runs/:id/restart', requireOperator, async (req, res) => {
    res.status(201).json(await need().restart(String(req.params.id), principalOf(res).name));
  });
  r.get('/bulk-runs', (_req, res) => {
    res.type('html').send(renderBulkRunsPage(principalOf(res), runner !== undefined));
  });
  r.get('/bulk-runs-assets/bulk-runs.js', (_req, res) => {
    res.sendFile(SCRIPT, { maxAge: '1h' });
  });
  return r;
}
