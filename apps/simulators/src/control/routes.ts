import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { EnvelopeError } from '../aitable/envelope';
import { WEB_USER } from '../missionx/store';
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
// Strict: a misspelt key (`path` for `pathIncludes`) would otherwise widen the fault to every request.
export const faultSchema = z
  .strictObject({
    service: z.enum(['aitable', 'missionx']),
    method: z.string().min(1).optional(),
    pathIncludes: z.string().min(1).optional(),
    count: z.number().int().min(1),
    kind: z.enum(['status', 'hang', 'rate_limit', 'envelope_error', 'cut_after', 'body']),
    status: z.number().int().min(100).max(599).optional(),
    code: z.number().int().optional(),
    message: z.string().optional(),
    hangMs: z.number().int().min(0).optional(),
    body: z.unknown().optional(),
  })
  .refine((f) => !(f.kind === 'envelope_error' && f.service === 'missionx'), 'envelope_error is an AITable fault only');

/** Each key of a fault, as `GET /__sim` and a rejected `POST /__sim/faults` list them (a test keeps them equal to faultSchema's). */
export const FAULT_KEYS: Readonly<Record<string, string>> = {
  service: 'required: aitable | missionx',
  method: 'optional: the HTTP method to match, e.g. POST',
  pathIncludes: 'optional: a substring of the request path to match, e.g. /clients',
  count: 'required: how many matching requests the fault answers (integer >= 1)',
  kind: 'required: status | rate_limit | envelope_error (AITable only) | hang | cut_after | body',
  status: 'optional, kind status: the HTTP status (default 500)',
  code: 'optional: the AITable envelope code (default the status)',
  message: 'optional: the error message',
  hangMs: 'optional, kind hang: answer normally after this many ms (absent: never answer)',
  body: 'optional, kind body: the body to answer with instead (JSON, or a string sent as HTML), with status (default 200)',
};

/** A fault to copy: the next 3 MissionX client creates answer 503. */
export const FAULT_EXAMPLE = { service: 'missionx', method: 'POST', pathIncludes: '/clients', count: 3, kind: 'status', status: 503 };
const domains = z.array(z.string().min(1));
/** What a person can change on a client in the MissionX web app, archiving included. */
const clientEdit = z.strictObject({
  customId: z.string().optional(),
  title: z.string().min(1).optional(),
  emailDomains: domains.optional(),
  departments: domains.optional(),
  archived: z.boolean().optional(),
});
const projectStatus = z.enum(['open', 'completed', 'cancelled']);
const projectEdit = z.strictObject({
  title: z.string().min(1).optional(),
  client: z.string().min(1).nullable().optional(),
  customId: z.string().optional(),
  projectStatus: projectStatus.optional(),
  archived: z.boolean().optional(),
});

/** One control route as `GET /__sim` lists it. */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  does: string;
  /** The keys of its JSON body and what each means, with an example body. */
  body?: { keys: Readonly<Record<string, string>>; example: unknown };
}

/** The control API under `/__sim`, for tests and demos; its calls are not in the request log. */
export function controlRouter(state: SimState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  const routes: ControlRoute[] = [];
  // Registering through here keeps the `GET /__sim` listing in step with what is served.
  const route = (method: ControlRoute['method'], path: string, does: string, handler: RequestHandler, body?: ControlRoute['body']) => {
    routes.push({ method, path: `/__sim${path}`, does, ...(body ? { body } : {}) });
    router[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path, handler);
  };
  route('GET', '/', 'this list of control routes', (_req, res) => {
    res.json(routes);
  });
  route('GET', '/health', 'answers {ok:true}', (_req, res) => {
    res.json({ ok: true });
  });
  route('POST', '/reset', 'records back to seeds; requests, faults, MissionX clients and the rate limit cleared', (_req, res) => {
    state.reset();
    res.status(204).end();
  });
  route('POST', '/aitable/datasheets', 'adds or replaces a datasheet seed (survives resets)', (req, res) => {
    state.aitable.seed(datasheetSeedSchema.parse(req.body));
    res.status(204).end();
  });
  route('GET', '/aitable/datasheets/:id/records', "a datasheet's records in the API read format", (req, res) => {
    const sheet = state.aitable.require(String(req.params.id));
    res.json([...sheet.records.values()].map((rec) => state.aitable.read(sheet, rec, { fieldKey: 'name', cellFormat: 'json' })));
  });
  route('POST', '/aitable/datasheets/:id/records', 'creates a record as a user would {fields, recordId?}', (req, res) => {
    const body = z.object({ fields: fieldsObject, recordId: z.string().optional() }).parse(req.body);
    const sheet = state.aitable.require(String(req.params.id));
    const [rec] = state.aitable.createRecords(sheet, [body], { fieldKey: 'name', strictNames: true, where: 'addRecord' });
    res.status(201).json({ recordId: rec?.recordId });
  });
  route('PATCH', '/aitable/datasheets/:id/records/:recordId', 'edits a record as a user would {fields}', (req, res) => {
    const body = z.object({ fields: fieldsObject }).parse(req.body);
    const sheet = state.aitable.require(String(req.params.id));
    const update = { recordId: String(req.params.recordId), fields: body.fields };
    state.aitable.updateRecords(sheet, [update], { fieldKey: 'name', strictNames: true, where: 'updateRecordAsUser' });
    res.status(204).end();
  });
  route('PUT', '/aitable/rate-limit', 'sets AITable requests per second per datasheet {perSecond}', (req, res) => {
    state.limiter.perSecond = z.object({ perSecond: z.number().int().min(1) }).parse(req.body).perSecond;
    res.status(204).end();
  });
  route('GET', '/in-flight', 'API requests being handled now and the most at once since the last reset, per service', (_req, res) => {
    res.json(state.inFlight.read());
  });
  route('GET', '/requests', 'API requests received, filtered by ?service&method&pathIncludes', (req, res) => {
    const q = z
      .object({ service: z.enum(['aitable', 'missionx']).optional(), method: z.string().optional(), pathIncludes: z.string().optional() })
      .parse(req.query);
    res.json(state.log.list(q));
  });
  route(
    'POST',
    '/faults',
    'injects a fault (unknown keys are rejected)',
    (req, res) => {
      const fault = faultSchema.safeParse(req.body);
      if (!fault.success) {
        const error = `${issuesText(fault.error)}; valid keys: ${Object.keys(FAULT_KEYS).join(', ')}`;
        return void res.status(400).json({ error, keys: FAULT_KEYS, example: FAULT_EXAMPLE });
      }
      state.faults.add(fault.data);
      res.status(204).end();
    },
    { keys: FAULT_KEYS, example: FAULT_EXAMPLE },
  );
  route('GET', '/faults', 'faults with uses left, in matching order, each with `remaining`', (_req, res) => {
    res.json(state.faults.list());
  });
  route('DELETE', '/faults', 'drops every fault not yet used (requests already hanging still get their answer)', (_req, res) => {
    state.faults.discard();
    res.status(204).end();
  });
  route(
    'POST',
    '/faults/release',
    'answers now every request a hang with hangMs holds, as when its time runs out: {released}',
    (_req, res) => {
      res.json({ released: state.faults.release() });
    },
  );
  route('GET', '/missionx/clients', 'every MissionX client, archived ones included (with `archived`)', (_req, res) => {
    res.json(state.missionx.allClients());
  });
  route(
    'POST',
    '/missionx/clients',
    'creates a client as a person in the web app {customId?, title, emailDomains?, departments?}',
    (req, res) => {
      const body = clientEdit
        .omit({ archived: true })
        .extend({ title: z.string().min(1) })
        .parse(req.body);
      res.status(201).json(state.missionx.createClient(body, WEB_USER));
    },
  );
  route('POST', '/missionx/clients/seed', 'adds {count} clients that are not the bridge’s, made long ago (lost on reset)', (req, res) => {
    const { count } = z.object({ count: z.number().int().min(1).max(100_000) }).parse(req.body);
    state.missionx.seedForeign(count);
    res.status(204).end();
  });
  route(
    'PATCH',
    '/missionx/clients/:id',
    'edits, archives or unarchives a client as a person would {…, archived?}; updatedAt moves',
    (req, res) => {
      const client = state.missionx.updateClient(String(req.params.id), clientEdit.parse(req.body));
      if (!client) return void res.status(404).json({ error: `no MissionX client ${req.params.id}` });
      res.json(client);
    },
  );
  route('GET', '/missionx/projects', 'every MissionX project, archived ones included', (_req, res) => {
    res.json(state.missionx.allProjects());
  });
  route('POST', '/missionx/projects', 'creates a project as a person would {title, client?, customId?, projectStatus?}', (req, res) => {
    const body = projectEdit
      .omit({ archived: true })
      .extend({ title: z.string().min(1) })
      .parse(req.body);
    res.status(201).json(state.missionx.createProject({ ...body, client: body.client ?? undefined }));
  });
  route(
    'PATCH',
    '/missionx/projects/:id',
    'changes a project {title?, client?, projectStatus?, archived?}; updatedAt moves',
    (req, res) => {
      const project = state.missionx.updateProject(String(req.params.id), projectEdit.parse(req.body));
      if (!project) return void res.status(404).json({ error: `no MissionX project ${req.params.id}` });
      res.json(project);
    },
  );
  router.use((req, res) => {
    res.status(404).json({ error: `no control route ${req.method} ${req.originalUrl} (GET /__sim lists them)` });
  });
  router.use(controlErrors);
  return router;
}

const issuesText = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

const controlErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof z.ZodError) return void res.status(400).json({ error: issuesText(err) });
  if (err instanceof EnvelopeError) return void res.status(err.code === 301 ? 404 : 400).json({ error: err.message });
  res.status(400).json({ error: err instanceof Error ? err.message : String(err) });
};
