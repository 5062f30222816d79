import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { permanent } from '@bridge/errors';
import type { z } from 'zod';
import { badResponse, errorFromStatus, messageOf, MISSIONX_ERROR_CODES, retryAfterMs, type MissionxCallContext } from './errors';
import { exchange } from './http';
import type { MissionxClientOptions } from './options';
import { buildPortalUrl } from './portal-url';
import {
  clientListSchema,
  clientPatchSchema,
  missionxClientSchema,
  newClientSchema,
  type MissionxClient,
  type MissionxClientPatch,
  type NewMissionxClient,
} from './schemas';
import { TokenProvider } from './token-provider';

export interface FindOrCreateResult {
  client: MissionxClient;
  /** True when this call created the client. */
  created: boolean;
}

const oldestFirst = (a: MissionxClient, b: MissionxClient) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id);

/**
 * The MissionX API as the bridge uses it. Every call carries a cached OAuth2 token and the
 * `Org-Id` header; a 401 refreshes the token once and retries once. Throws only `AppError`s
 * (codes in `MISSIONX_ERROR_CODES`).
 */
export class MissionxApiClient {
  private readonly http: AxiosInstance;
  private readonly tokens: TokenProvider;
  private readonly timeoutMs: number;
  private readonly creating = new Map<string, Promise<FindOrCreateResult>>();

  constructor(private readonly opts: MissionxClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.http = axios.create({ baseURL: opts.baseUrl.replace(/\/+$/, ''), timeout: this.timeoutMs, validateStatus: () => true });
    this.tokens = new TokenProvider({
      http: this.http,
      authUrl: opts.authUrl,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      timeoutMs: this.timeoutMs,
      refreshMarginSeconds: opts.refreshMarginSeconds ?? 60,
      now: opts.now ?? Date.now,
      hooks: opts.hooks,
      logger: opts.logger,
    });
  }

  /** Every client with this customId, oldest first (exact match, even if the API ignored the filter). */
  async listClientsByCustomId(customId: string): Promise<MissionxClient[]> {
    requireText(customId, 'customId', 'findClients');
    const ctx: MissionxCallContext = { operation: 'findClients', subject: `customId ${customId}` };
    const params = new URLSearchParams({ 'filter[customId]': customId });
    const all = await this.call(ctx, { method: 'GET', url: `/clients?${params.toString()}` }, clientListSchema);
    return all.filter((c) => c.customId === customId).sort(oldestFirst);
  }

  /** One client by its `_id` (MissionX has no get-by-id page: the list filtered by id), or null if none. */
  async getClient(clientId: string): Promise<MissionxClient | null> {
    requireText(clientId, 'clientId', 'getClient');
    const ctx: MissionxCallContext = { operation: 'findClients', subject: `client ${clientId}` };
    const params = new URLSearchParams({ id: clientId, limit: '1' });
    const all = await this.call(ctx, { method: 'GET', url: `/clients?${params.toString()}` }, clientListSchema);
    // Matched here too: an API that ignored the filter answers every client.
    return all.find((c) => c._id === clientId) ?? null;
  }

  /** The client with this customId, or null. With several (a past race), the oldest, with a warning. */
  async findClientByCustomId(customId: string): Promise<MissionxClient | null> {
    const found = await this.listClientsByCustomId(customId);
    if (found.length > 1) {
      this.opts.logger?.warn('Several MissionX clients share one customId; using the oldest', {
        customId,
        clientIds: found.map((c) => c._id),
      });
    }
    return found[0] ?? null;
  }

  /** Always creates (never relies on MissionX rejecting a duplicate customId); prefer `findOrCreateClient`. */
  async createClient(input: NewMissionxClient): Promise<MissionxClient> {
    const body = parseInput(newClientSchema, input, 'createClient');
    const ctx: MissionxCallContext = { operation: 'createClient', subject: `customId ${body.customId}` };
    return this.call(ctx, { method: 'POST', url: '/clients', data: body }, missionxClientSchema);
  }

  /**
   * Looks the customId up first and creates only when none exists, so a retried job never makes
   * a second portal. Calls for one customId in this process share one lookup; across processes
   * the caller must serialise per record. After creating, it reads back and answers the oldest,
   * so two racing creators at least agree on one client.
   */
  async findOrCreateClient(input: NewMissionxClient): Promise<FindOrCreateResult> {
    const customId = parseInput(newClientSchema, input, 'createClient').customId;
    const running = this.creating.get(customId);
    if (running) return running.then((r) => ({ client: r.client, created: false }));
    const work = this.findOrCreate(input, customId).finally(() => this.creating.delete(customId));
    this.creating.set(customId, work);
    return work;
  }

  /** Changes some properties of a client. */
  async updateClient(clientId: string, patch: MissionxClientPatch): Promise<MissionxClient> {
    requireText(clientId, 'clientId', 'updateClient');
    const body = parseInput(clientPatchSchema, patch, 'updateClient');
    const ctx: MissionxCallContext = { operation: 'updateClient', subject: `client ${clientId}` };
    return this.call(ctx, { method: 'PATCH', url: `/clients/${encodeURIComponent(clientId)}`, data: body }, missionxClientSchema);
  }

  /** Activates or deactivates a client's portal. */
  setClientStatus(clientId: string, status: 'active' | 'inactive'): Promise<MissionxClient> {
    return this.updateClient(clientId, { status });
  }

  /** The portal link of a client, from `portalUrlTemplate`. */
  portalUrl(client: Pick<MissionxClient, '_id' | 'customId'>): string {
    return buildPortalUrl(this.opts.portalUrlTemplate, client);
  }

  private async findOrCreate(input: NewMissionxClient, customId: string): Promise<FindOrCreateResult> {
    const existing = await this.findClientByCustomId(customId);
    if (existing) return { client: existing, created: false };
    const made = await this.createClient(input);
    const all = await this.listClientsByCustomId(customId);
    const oldest = all[0] ?? made;
    if (oldest._id !== made._id) {
      this.opts.logger?.warn('Another worker created a MissionX client for this customId at the same time; using the oldest', {
        customId,
        clientIds: all.map((c) => c._id),
      });
    }
    return { client: oldest, created: oldest._id === made._id };
  }

  /** An API call with the token and Org-Id; one token refresh and one retry on a 401. */
  private async call<S extends z.ZodType>(ctx: MissionxCallContext, req: AxiosRequestConfig, schema: S): Promise<z.output<S>> {
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
      if (res.status < 200 || res.status >= 300) {
        throw errorFromStatus(ctx, res.status, messageOf(res.data), retryAfterMs(res.headers['retry-after']));
      }
      const parsed = schema.safeParse(res.data);
      if (!parsed.success)
        throw badResponse(
          ctx,
          parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; '),
        );
      return parsed.data;
    }
  }
}

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
