import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { faultMiddleware, type ErrorWriter, type FaultBook } from '../faults';
import type { RequestLog } from '../request-log';
import type { MissionxClient } from '../types';
import { listPage, QueryError, type FilterSpec } from './query';
import type { MissionxStore } from './store';

export interface MissionxDeps {
  store: MissionxStore;
  faults: FaultBook;
  log: RequestLog;
}

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
};

/** MissionX's documented error body `{message, code, data}`; the code strings are our guess. */
export const writeMissionxError: ErrorWriter = (res, httpStatus, _code, message, data = {}) => {
  res.status(httpStatus).json({ message, code: CODES[httpStatus] ?? `HTTP_${httpStatus}`, data });
};

const strings = z.array(z.string().trim().min(1));
const newClientSchema = z.object({
  customId: z.string().trim().min(1),
  title: z.string().trim().min(1),
  emailDomains: strings.optional(),
  departments: strings.optional(),
});
// Only the documented keys are read; anything else in the body (a `status`) is ignored, as a server ignores it.
const patchSchema = z
  .object({ customId: z.string(), title: z.string().trim().min(1), emailDomains: z.array(z.string()), departments: strings })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to update: PATCH accepts customId, title, emailDomains, departments');

/** The documented client filters besides archived/withArchived/updatedAt. */
const clientFilters: FilterSpec = {
  id: (d, v) => d._id === v,
  emailDomain: (d, v) => (d.emailDomains as string[]).includes(v),
  department: (d, v) => (d.departments as string[]).includes(v),
};
const projectFilters: FilterSpec = {
  id: (d, v) => d._id === v,
  projectStatus: (d, v) => d.projectStatus === v,
};

/** A client in the API's shape: the documented fields, without the archived flag the store keeps. */
export const clientShape = (c: MissionxClient & { archived?: boolean }): MissionxClient => {
  const { archived: _archived, ...rest } = c;
  return rest;
};

/** MissionX: the OAuth2 token endpoint under `/auth`, the API under `/v2`; mounted under `/missionx`. */
export function missionxRouter(deps: MissionxDeps): Router {
  const router = express.Router();
  router.use(deps.log.middleware('missionx'));
  router.use(express.json(), express.urlencoded({ extended: false }));
  router.use(deps.log.captureBody);
  router.use(faultMiddleware('missionx', deps.faults, writeMissionxError));
  router.post('/auth/token', issueToken(deps.store));
  router.use('/v2', requireTokenAndOrg(deps.store));
  router.post('/v2/clients', (req, res) => {
    const input = parseOr400(newClientSchema, req.body, res);
    // 200, not 201: MissionX documents 200 for its creates.
    if (input) res.status(200).json(clientShape(deps.store.createClient(input)));
  });
  router.get(
    '/v2/clients',
    listing(
      () => deps.store.allClients(),
      clientFilters,
      (d) => clientShape(d as unknown as MissionxClient),
    ),
  );
  router.patch('/v2/clients/:id', (req, res) => {
    const patch = parseOr400(patchSchema, req.body, res);
    if (!patch) return;
    const client = deps.store.updateClient(String(req.params.id), patch);
    if (!client) return writeMissionxError(res, 404, 404, `client ${req.params.id} not found`);
    res.json(clientShape(client));
  });
  router.get(
    '/v2/projects',
    listing(
      () => deps.store.allProjects(),
      projectFilters,
      (p) => p,
    ),
  );
  router.use((req, res) => writeMissionxError(res, 404, 404, `Cannot ${req.method} ${req.originalUrl.split('?')[0]}`));
  router.use(bodyErrors);
  return router;
}

function listing(
  docs: () => readonly ({ _id: string; updatedAt: string; archived: boolean } & object)[],
  filters: FilterSpec,
  shape: (d: Record<string, unknown>) => object,
): RequestHandler {
  return (req, res) => {
    try {
      const page = listPage(
        docs() as unknown as Parameters<typeof listPage>[0],
        req.query as Record<string, unknown>,
        filters,
        selfUrl(req),
        shape as (d: Record<string, unknown>) => Record<string, unknown>,
      );
      res.json(page);
    } catch (err) {
      if (err instanceof QueryError) return writeMissionxError(res, 400, 400, err.message, { param: err.param });
      throw err;
    }
  };
}

/** The URL this request reached, as a client would follow it (host header and original path). */
function selfUrl(req: Request): URL {
  return new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
}

function parseOr400<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  writeMissionxError(res, 400, 400, message, { fields: parsed.error.issues.map((i) => i.path.join('.')) });
  return undefined;
}

/**
 * OAuth2 client credentials, from the form body or HTTP Basic; the request must carry the
 * organisation's `Org-Id` (documented), else 400, or 403 for another organisation.
 */
function issueToken(store: MissionxStore): RequestHandler {
  return (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const orgId = req.get('org-id');
    if (!orgId) return writeMissionxError(res, 400, 400, 'Org-Id header is required');
    if (body.grant_type !== 'client_credentials') return writeMissionxError(res, 400, 400, 'grant_type must be client_credentials');
    const basic = /^Basic\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const id = body.client_id ?? basicId;
    const secret = body.client_secret ?? basicSecret;
    if (id !== store.settings.clientId || secret !== store.settings.clientSecret) {
      return writeMissionxError(res, 401, 401, 'unknown client_id or wrong client_secret');
    }
    if (orgId !== store.settings.orgId)
      return writeMissionxError(res, 403, 403, `this API integration has no access to organisation ${orgId}`);
    res.json(store.issueToken());
  };
}

/** 401 without a valid unexpired token; 400 without `Org-Id`; 403 for an organisation the token is not for. */
function requireTokenAndOrg(store: MissionxStore): RequestHandler {
  return (req, res, next) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
    if (!token || !store.tokenValid(token))
      return writeMissionxError(res, 401, 401, 'Unauthorized: missing, unknown or expired access token');
    const orgId = req.get('org-id');
    if (!orgId) return writeMissionxError(res, 400, 400, 'Org-Id header is required');
    if (orgId !== store.settings.orgId) return writeMissionxError(res, 403, 403, `access token has no access to organisation ${orgId}`);
    next();
  };
}

const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status < 500)
    return writeMissionxError(res, status, status, `invalid request body: ${(err as Error).message}`);
  writeMissionxError(res, 500, 500, 'Internal server error');
};
