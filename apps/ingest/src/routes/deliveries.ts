import { sourceKey } from '@bridge/http-server';
import { Router } from 'express';
import type { IngestDeps } from '../deps';
import { deliveryOf, rawBodyOf, readDelivery } from '../read-delivery';
import { acceptWebhook } from '../use-cases/accept-webhook';
import { submitAuditResult } from '../use-cases/submit-audit-result';

export const WEBHOOK_PATH = '/api/aitable/webhook';
export const AUDIT_RESULTS_PATH = '/api/audit-results';

/** The two ways work enters the system; both answer 202 only once the job is in Redis. */
export function deliveryRoutes(deps: IngestDeps): Router {
  const router = Router();

  router.post(WEBHOOK_PATH, readDelivery(deps, 'aitable'), async (req, res) => {
    const r = await acceptWebhook(deps, {
      facts: deliveryOf(res),
      rawBody: rawBodyOf(req),
      headers: req.headers,
      client: sourceKey(req.ip),
    });
    res.status(202).json({ accepted: true, queue: r.queue, jobId: r.jobId, duplicate: r.duplicate });
  });

  router.post(AUDIT_RESULTS_PATH, readDelivery(deps, 'audit-api'), async (req, res) => {
    const r = await submitAuditResult(deps, {
      facts: deliveryOf(res),
      rawBody: rawBodyOf(req),
      headers: req.headers,
      client: sourceKey(req.ip),
    });
    res.status(202).json({ accepted: true, queue: r.queue, jobId: r.jobId, duplicate: r.duplicate });
  });

  // What the deployment guide's "is the endpoint up" check reads: never a secret.
  router.get(WEBHOOK_PATH, (_req, res) => {
    const { config } = deps;
    res.json({
      status: 'ok',
      endpoint: WEBHOOK_PATH,
      method: 'POST',
      auth: {
        mode: config.AITABLE_WEBHOOK_AUTH,
        header: 'X-AITable-Signature',
        standardWebhooks: config.AITABLE_WEBHOOK_AUTH !== 'token',
        secretsConfigured: config.AITABLE_WEBHOOK_SECRET.length,
      },
      datasheets: deps.datasheets,
      bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
      dedupWindowSeconds: config.WEBHOOK_DEDUP_WINDOW_SECONDS,
    });
  });

  return router;
}
