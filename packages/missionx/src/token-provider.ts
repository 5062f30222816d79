import type { AxiosInstance } from 'axios';
import type { Logger } from '@bridge/logger';
import { badResponse, errorFromStatus, messageOf, retryAfterMs, type MissionxCallContext } from './errors';
import { exchange } from './http';
import type { MissionxHooks } from './options';
import { tokenSchema } from './schemas';

export interface TokenProviderOptions {
  http: AxiosInstance;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** The documented token call must carry the organisation's `Org-Id`. */
  orgId: string;
  timeoutMs: number;
  refreshMarginSeconds: number;
  now: () => number;
  hooks?: MissionxHooks;
  logger?: Logger;
}

const CTX: MissionxCallContext = { operation: 'token' };

/**
 * OAuth2 client-credentials token, cached until shortly before it expires. Concurrent callers
 * share one token request, so a burst of jobs after expiry costs one call, not one each.
 */
export class TokenProvider {
  private cached: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly opts: TokenProviderOptions) {}

  /** A token valid for a while yet; fetches one when none is cached or it is about to expire. */
  get(): Promise<string> {
    if (this.cached && this.opts.now() < this.cached.renewAt) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` after the API refused it; a token fetched meanwhile by another caller is kept. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetch(): Promise<string> {
    const o = this.opts;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret });
    const started = o.now();
    const result = await exchange(
      o.http,
      CTX,
      {
        method: 'POST',
        url: o.authUrl,
        data: body.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Org-Id': o.orgId },
      },
      o.timeoutMs,
      o.hooks,
    );
    if (!result.ok) throw result.error;
    const { res } = result;
    if (res.status < 200 || res.status >= 300) {
      throw errorFromStatus(CTX, res.status, scrub(messageOf(res.data), o.clientSecret), retryAfterMs(res.headers['retry-after']));
    }
    const parsed = tokenSchema.safeParse(res.data);
    if (!parsed.success) throw badResponse(CTX, 'no access_token in the token answer');
    const ttlMs = (parsed.data.expires_in ?? 3600) * 1000;
    // Renew before expiry: the configured margin, but at most 10 % of a short-lived token's life.
    const marginMs = Math.min(o.refreshMarginSeconds * 1000, ttlMs * 0.1);
    this.cached = { token: parsed.data.access_token, renewAt: started + ttlMs - marginMs };
    o.logger?.debug('MissionX access token issued', { expiresInSeconds: ttlMs / 1000 });
    return parsed.data.access_token;
  }
}

function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
