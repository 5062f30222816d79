import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { permanent } from '@bridge/errors';
import type { z } from 'zod';
import { badResponse, errorFromStatus, messageOf, MISSIONX_ERROR_CODES, retryAfterMs, type MissionxCallContext } from './errors';
import { Gate } from './gate';
import { exchange } from './http';
import type { MissionxClientOptions } from './options';
import { buildPortalUrl } from './portal-url';
import {
  clientListSchema,
  clientPatchSchema,
  missionxClientSchema,
  newClientSchema,
  projectListSchema,
  type MissionxClient,
  type MissionxProject,
  type MissionxClientPatch,
  type NewMissionxClient,
} from './schemas';
import { TokenProvider } from './token-provider';

/** The documented `GET /v2/clients` parameters (`GET /v2/projects` takes the same paging, archived and updatedAt ones). There is no customId filter: match customId yourself. */
export interface ClientQuery {
  id?: string;
  emailDomain?: string;
  department?: string;
  /** Only archived clients. */
  archived?: boolean;
  /** Archived clients too (they are hidden otherwise). */
  withArchived?: boolean;
  /** `updatedAt=<op> <ISO date>`. */
  updatedAt?: { op: 'lt' | 'lte' | 'gt' | 'gte' | 'eq'; at: Date };
  sortBy?: 'updatedAt';
  /** @defaultValue desc (MissionX's) */
  sortDirection?: 'asc' | 'desc';
  /** 1–100. @defaultValue 40 (MissionX's) */
  limit?: number;
}

/** The largest page MissionX serves. */
export const MAX_PAGE = 100;

/**
 * A call made for bulk work (a backfill's job): it waits for one of `bulkConcurrency` places.
 * MissionX documents no rate limit, so a backfill keeps to a bounded number of requests at once
 * rather than as many as its jobs run. `notify=0` is documented only on project, project-person
 * and plan-item writes; the bridge makes none of those, so no call here carries it.
 */
export interface CallOptions {
  bulk?: boolean;
}

/** Oldest first: with several clients for one lead (made by hand, or a past race), every caller picks the same one. */
export const oldestFirst = (a: MissionxClient, b: MissionxClient) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id);

/**
 * The MissionX API as the bridge uses it. Every call, the token call included, carries the
 * `Org-Id` header; API calls carry a cached OAuth2 token, and a 401 refreshes it once and
 * retries once. Throws only `AppError`s (codes in `MISSIONX_ERROR_CODES`).
 */
export class MissionxApiClient {
  private readonly http: AxiosInstance;
  private readonly tokens: TokenProvider;
  private readonly timeoutMs: number;
  private readonly base: URL;
  private readonly bulkGate: Gate;

  constructor(private readonly opts: MissionxClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.bulkGate = new Gate(opts.bulkConcurrency ?? 10);
    const baseURL = opts.baseUrl.replace(/\/+$/, '');
    this.base = new URL(`${baseURL}/`);
    this.http = axios.create({ baseURL, timeout: this.timeoutMs, validateStatus: () => true });
    this.tokens = new TokenProvider({
      http: this.http,
      authUrl: opts.authUrl,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      orgId: opts.orgId,
      timeoutMs: this.timeoutMs,
      refreshMarginSeconds: opts.refreshMarginSeconds ?? 60,
      now: opts.now ?? Date.now,
      hooks: opts.hooks,
      logger: opts.logger,
    });
  }

  /**
   * Every page of a client list, following `nextLink` until it is missing, null or empty.
   * An answer that is neither the envelope nor a bare array is an error, never an empty page.
   */
  clientPages(query: ClientQuery = {}, opts: CallOptions = {}): AsyncGenerator<MissionxClient[]> {
    return this.pages({ operation: 'listClients', subject: describeQuery(query) }, '/clients', query, clientListSchema, opts);
  }

  /** Every page of a project list (`GET /v2/projects`, the same paging and `updatedAt`/archived filters as clients). */
  projectPages(query: ClientQuery = {}): AsyncGenerator<MissionxProject[]> {
    return this.pages({ operation: 'listProjects', subject: describeQuery(query) }, '/projects', query, projectListSchema);
  }

  private async *pages<T>(
    ctx: MissionxCallContext,
    path: string,
    query: ClientQuery,
    schema: z.ZodType<{ value: T[]; nextLink?: string | null }>,
    opts: CallOptions = {},
  ): AsyncGenerator<T[]> {
    let url: string | undefined = `${path}?${listParams(query).toString()}`;
    const followed = new Set<string>();
    while (url) {
      const page: { value: T[]; nextLink?: string | null } = await this.call(ctx, { method: 'GET', url }, schema, opts);
      yield page.value;
      const next = page.nextLink?.trim();
      if (!next) return;
      url = this.sameOrigin(ctx, next);
      // A server handing back a link it gave before would page forever.
      if (followed.has(url)) throw badResponse(ctx, `nextLink repeats an earlier page (${next})`, 'permanent');
      followed.add(url);
    }
  }

  /** All clients of a query, every page read. */
  async listClients(query: ClientQuery = {}, opts: CallOptions = {}): Promise<MissionxClient[]> {
    const all: MissionxClient[] = [];
    for await (const page of this.clientPages(query, opts)) all.push(...page);
    return all;
  }

  /** One client by its `_id` (MissionX has no get-by-id page: the list filtered by id), archived or not; null if none. */
  async getClient(clientId: string): Promise<MissionxClient | null> {
    requireText(clientId, 'clientId', 'getClient');
    const [client] = await this.listClients({ id: clientId, withArchived: true, limit: 1 });
    return client ?? null;
  }

  /**
   * The clients with this customId whose `updatedAt` is at or after `since`, oldest first: the
   * narrow window after a create whose answer was lost (a new client's `updatedAt` is its
   * `createdAt`). Sorted ascending, so the first page holds the oldest candidates.
   */
  async findInWindow(customId: string, since: Date, opts: CallOptions = {}): Promise<MissionxClient[]> {
    requireText(customId, 'customId', 'findInWindow');
    const query: ClientQuery = {
      updatedAt: { op: 'gte', at: since },
      sortBy: 'updatedAt',
      sortDirection: 'asc',
      limit: MAX_PAGE,
      withArchived: true,
    };
    return (await this.listClients(query, opts)).filter((c) => c.customId === customId).sort(oldestFirst);
  }

  /** Every client of the organisation, archived ones too, in pages of 100: ⌈clients / 100⌉ calls. */
  scanClients(opts: CallOptions = {}): AsyncGenerator<MissionxClient[]> {
    return this.clientPages({ withArchived: true, limit: MAX_PAGE }, opts);
  }

  /** Always creates: MissionX has no idempotency key and no unique customId. The caller records the intent first. */
  async createClient(input: NewMissionxClient, opts: CallOptions = {}): Promise<MissionxClient> {
    const body = parseInput(newClientSchema, input, 'createClient');
    const ctx: MissionxCallContext = { operation: 'createClient', subject: `customId ${body.customId}` };
    return this.call(ctx, { method: 'POST', url: '/clients', data: body }, missionxClientSchema, opts);
  }

  /** Changes some of the documented properties of a client (customId, title, emailDomains, departments). */
  async updateClient(clientId: string, patch: MissionxClientPatch, opts: CallOptions = {}): Promise<MissionxClient> {
    requireText(clientId, 'clientId', 'updateClient');
    const body = parseInput(clientPatchSchema, patch, 'updateClient');
    const ctx: MissionxCallContext = { operation: 'updateClient', subject: `client ${clientId}` };
    return this.call(ctx, { method: 'PATCH', url: `/clients/${encodeURIComponent(clientId)}`, data: body }, missionxClientSchema, opts);
  }

  /** The portal link of a client, from our configured `portalUrlTemplate` (MissionX documents no portal URL). */
  portalUrl(client: Pick<MissionxClient, '_id' | 'customId'>): string {
    return buildPortalUrl(this.opts.portalUrlTemplate, client);
  }

  /** A nextLink as a URL to request: it must point at the API we were configured with, or our token would leave. */
  private sameOrigin(ctx: MissionxCallContext, link: string): string {
    let url: URL;
    try {
      url = new URL(link, this.base);
    } catch {
      throw badResponse(ctx, `nextLink is not a URL (${link})`, 'permanent');
    }
    if (url.origin !== this.base.origin) throw badResponse(ctx, `nextLink points at another host (${url.origin})`, 'permanent');
    return url.toString();
  }

  /** An API call with the token and Org-Id; one token refresh and one retry on a 401. Bulk calls wait for a place first. */
  private async call<S extends z.ZodType>(
    ctx: MissionxCallContext,
    req: AxiosRequestConfig,
    schema: S,
    opts: CallOptions = {},
  ): Promise<z.output<S>> {
    return opts.bulk ? this.bulkGate.run(() => this.send(ctx, req, schema)) : this.send(ctx, req, schema);
  }

  private async send<S extends z.ZodType>(ctx: MissionxCallContext, req: AxiosRequestConfig, schema: S): Promise<z.output<S>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.get();
      const headers = { Authorization: `Bearer ${token}`, 'Org-Id': this.opts.orgId };
      const result = await exchange(this.http, ctx, { ...req, headers }, this.timeoutMs, this.opts.hooks);
      if (!result.ok) throw result.error;
      const { res } = result;
      if (res.status === 401 && attempt === 1) {
        // Revoked or expired early (clock skew, server restart): one fresh token, one retry.
        this.tokens.invalidate(token);
        continue;
      }
      // 200 is documented (creates too); any other 2xx is read the same way.
      if (res.status < 200 || res.status >= 300) {
        throw errorFromStatus(ctx, res.status, messageOf(res.data), retryAfterMs(res.headers['retry-after']));
      }
      if (res.data === null || typeof res.data !== 'object') {
        throw badResponse(ctx, `not JSON (${typeof res.data === 'string' ? `${res.data.length} characters of text` : String(res.data)})`);
      }
      const parsed = schema.safeParse(res.data);
      if (!parsed.success) {
        const problems = parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        throw badResponse(ctx, problems, 'permanent');
      }
      return parsed.data;
    }
  }
}

function listParams(q: ClientQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.id !== undefined) p.set('id', q.id);
  if (q.emailDomain !== undefined) p.set('emailDomain', q.emailDomain);
  if (q.department !== undefined) p.set('department', q.department);
  if (q.archived !== undefined) p.set('archived', String(q.archived));
  if (q.withArchived !== undefined) p.set('withArchived', String(q.withArchived));
  // `<op> <date>` with a space, which URLSearchParams encodes.
  if (q.updatedAt) p.set('updatedAt', `${q.updatedAt.op} ${q.updatedAt.at.toISOString()}`);
  if (q.sortBy) p.set('sortBy', q.sortBy);
  if (q.sortDirection) p.set('sortDirection', q.sortDirection);
  if (q.limit !== undefined) p.set('limit', String(q.limit));
  return p;
}

const describeQuery = (q: ClientQuery) =>
  Object.entries(q)
    .map(([k, v]) => `${k}=${v instanceof Object && 'at' in v ? `${v.op} ${v.at.toISOString()}` : String(v)}`)
    .join('&') || 'all clients';

function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ');
  throw permanent(MISSIONX_ERROR_CODES.invalidInput, `Invalid input for MissionX ${operation}: ${problems}`, { details: { operation } });
}

function requireText(value: unknown, name: string, operation: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw permanent(MISSIONX_ERROR_CODES.invalidInput, `Invalid input for MissionX ${operation}: ${name} must be a non-empty string`, {
      details: { operation, field: name },
    });
  }
}
