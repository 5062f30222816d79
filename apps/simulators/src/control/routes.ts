import express, { type ErrorRequestHandler, type Router } from 'express';
import { z } from 'zod';
import { EnvelopeError } from '../aitable/envelope';
import type { SimState } from '../state';

const fieldSeed = z.object({
  name: z.string().min(1),
  type: z.enum(['SingleText', 'Text', 'Email', 'Phone', 'Number', 'DateTime', 'SingleSelect', 'URL', 'Link', 'Checkbox']),
  options: z.array(z.string().min(1)).optional(),
  linkDatasheetId: z.string().min(1).optional(),
});
const fieldsObject = z.record(z.string(), z.unknown());
export const datasheetSeedSchema = z.object({
  id: z.string().regex(/^dst\w+$/, 'must start with dst'),
  name: z.string().min(1),
  fields: z.array(fieldSeed).min(1),
  records: z.array(z.object({ recordId: z.string().optional(), fields: fieldsObject })).optional(),
});
export const faultSchema = z
  .object({
    service: z.enum(['aitable', 'missionx']),
    method: z.string().min(1).optional(),
    pathIncludes: z.string().min(1).optional(),
    count: z.number().int().min(1),
    kind: z.enum(['status', 'hang', 'rate_limit', 'envelope_error']),
    status: z.number().int().min(100).max(599).optional(),
    code: z.number().int().optional(),
    message: z.string().optional(),
    hangMs: z.number().int().min(0).optional(),
  })
  .refine((f) => !(f.kind === 'envelope_error' && f.service === 'missionx'), 'envelope_error is an AITable fault only');

/** The control API under `/__sim`, for tests and demos; its calls are not in the request log. */
export function controlRouter(state: SimState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  router.post('/reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });
  router.post('/aitable/datasheets', (req, res) => {
    state.aitable.seed(datasheetSeedSchema.parse(req.body));
    res.status(204).end();
  });
  router.get('/aitable/datasheets/:id/records', (req, res) => {
    const sheet = state.aitable.require(req.params.id);
    res.json([...sheet.records.values()].map((rec) => state.aitable.read(sheet, rec, { fieldKey: 'name', cellFormat: 'json' })));
  });
  router.post('/aitable/datasheets/:id/records', (req, res) => {
    const body = z.object({ fields: fieldsObject, recordId: z.string().optional() }).parse(req.body);
    const sheet = state.aitable.require(req.params.id);
    const [rec] = state.aitable.createRecords(sheet, [body], { fieldKey: 'name', strictNames: true, where: 'addRecord' });
    res.status(201).json({ recordId: rec?.recordId });
  });
  router.patch('/aitable/datasheets/:id/records/:recordId', (req, res) => {
    const body = z.object({ fields: fieldsObject }).parse(req.body);
    const sheet = state.aitable.require(req.params.id);
    state.aitable.updateRecords(sheet, [{ recordId: req.params.recordId, fields: body.fields }], { fieldKey: 'name', strictNames: true, where: 'updateRecordAsUser' });
    res.status(204).end();
  });
  router.put('/aitable/rate-limit', (req, res) => {
    state.limiter.perSecond = z.object({ perSecond: z.number().int().min(1) }).parse(req.body).perSecond;
    res.status(204).end();
  });
  router.get('/requests', (req, res) => {
    const q = z
      .object({ service: z.enum(['aitable', 'missionx']).optional(), method: z.string().optional(), pathIncludes: z.string().optional() })
      .parse(req.query);
    res.json(state.log.list(q));
  });
  router.post('/faults', (req, res) => {
    state.faults.add(faultSchema.parse(req.body));
    res.status(204).end();
  });
  router.get('/missionx/clients', (_req, res) => {
    res.json(state.missionx.list());
  });
  router.use((req, res) => {
    res.status(404).json({ error: `no control route ${req.method} ${req.originalUrl}` });
  });
  router.use(controlErrors);
  return router;
}

const controlErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof z.ZodError) {
    return void res.status(400).json({ error: err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
  }
  if (err instanceof EnvelopeError) return void res.status(err.code === 301 ? 404 : 400).json({ error: err.message });
  res.status(400).json({ error: err instanceof Error ? err.message : String(err) });
};
