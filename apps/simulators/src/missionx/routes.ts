import express, { type ErrorRequestHandler, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { faultMiddleware, type ErrorWriter, type FaultBook } from '../faults';
import type { RequestLog } from '../request-log';
import type { MissionxStore } from './store';

export interface MissionxDeps {
  store: MissionxStore;
  faults: FaultBook;
  log: RequestLog;
}

const writeError: ErrorWriter = (res, httpStatus, _code, message) => {
  res.status(httpStatus).json({ statusCode: httpStatus, message });
};

const strings = z.array(z.string().min(1));
const newClientSchema = z.object({
  customId: z.string().trim().min(1),
  title: z.string().trim().min(1),
  emailDomains: strings.optional(),
  departments: strings.optional(),
});
const patchSchema = z
  .object({ title: z.string().trim().min(1), status: z.enum(['active', 'inactive']), emailDomains: strings, departments: strings })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to update');

/** MissionX: the OAuth2 token endpoint under `/auth`, the API under `/v2`; mounted under `/missionx`. */
export function missionxRouter(deps: MissionxDeps): Router {
  const router = express.Router();
  router.use(deps.log.middleware('missionx'));
  router.use(express.json(), express.urlencoded({ extended: false }));
  router.use(deps.log.captureBody);
  router.use(faultMiddleware('missionx', deps.faults, writeError));
  router.post('/auth/token', issueToken(deps.store));
  router.use('/v2', requireTokenAndOrg(deps.store));
  router.post('/v2/clients', (req, res) => {
    const input = parseOr400(newClientSchema, req.body, res);
    if (input) res.status(201).json(deps.store.createClient(input));
  });
  router.get('/v2/clients', (req, res) => {
    const filter = req.query.filter as { customId?: unknown } | undefined;
    const customId = filter?.customId;
    if (customId !== undefined && typeof customId !== 'string')
      return writeError(res, 400, 400, 'filter[customId] must be a single string');
    res.json(deps.store.list({ customId }));
  });
  router.get('/v2/clients/:id', (req, res) => {
    const client = deps.store.get(String(req.params.id));
    if (!client) return writeError(res, 404, 404, `client ${req.params.id} not found`);
    res.json(client);
  });
  router.patch('/v2/clients/:id', (req, res) => {
    const patch = parseOr400(patchSchema, req.body, res);
    if (!patch) return;
    const client = deps.store.update(String(req.params.id), patch);
    if (!client) return writeError(res, 404, 404, `client ${req.params.id} not found`);
    res.json(client);
  });
  router.use((req, res) => writeError(res, 404, 404, `Cannot ${req.method} ${req.originalUrl.split('?')[0]}`));
  router.use(bodyErrors);
  return router;
}

function parseOr400<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  writeError(res, 400, 400, message);
  return undefined;
}

/** OAuth2 client credentials, from the form body or HTTP Basic, as OAuth2 servers accept both. */
function issueToken(store: MissionxStore): RequestHandler {
  return (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      return void res.status(400).json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    const basic = /^Basic\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const id = body.client_id ?? basicId;
    const secret = body.client_secret ?? basicSecret;
    if (id !== store.settings.clientId || secret !== store.settings.clientSecret) {
      return void res.status(401).json({ error: 'invalid_client', error_description: 'unknown client_id or wrong client_secret' });
    }
    res.json(store.issueToken());
  };
}

/** 401 without a valid unexpired token; 400 without `Org-Id`; 403 for an organisation the token is not for. */
function requireTokenAndOrg(store: MissionxStore): RequestHandler {
  return (req, res, next) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
    if (!token || !store.tokenValid(token)) return writeError(res, 401, 401, 'Unauthorized: missing, unknown or expired access token');
    const orgId = req.get('org-id');
    if (!orgId) return writeError(res, 400, 400, 'Org-Id header is required');
    if (orgId !== store.settings.orgId) return writeError(res, 403, 403, `access token has no access to organisation ${orgId}`);
    next();
  };
}

const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status < 500) return writeError(res, status, status, `invalid request body: ${(err as Error).message}`);
  writeError(res, 500, 500, 'Internal server error');
};
