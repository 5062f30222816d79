import { randomBytes } from 'node:crypto';
import { newObjectId } from '../ids';
import type { MissionxClient } from '../types';

export interface MissionxSettings {
  clientId: string;
  clientSecret: string;
  orgId: string;
  tokenTtlSeconds: number;
}

export interface NewClient {
  customId: string;
  title: string;
  emailDomains?: string[];
  departments?: string[];
}

export type ClientPatch = Partial<Pick<MissionxClient, 'title' | 'status' | 'emailDomains' | 'departments'>>;

/** MissionX clients and issued access tokens, in memory. */
export class MissionxStore {
  private clients: MissionxClient[] = [];
  /** Access token → expiry, epoch ms. */
  private readonly tokens = new Map<string, number>();

  constructor(readonly settings: MissionxSettings) {}

  issueToken(now = Date.now()): { access_token: string; token_type: 'Bearer'; expires_in: number } {
    const token = `mxsim_${randomBytes(24).toString('hex')}`;
    this.tokens.set(token, now + this.settings.tokenTtlSeconds * 1000);
    return { access_token: token, token_type: 'Bearer', expires_in: this.settings.tokenTtlSeconds };
  }

  /** Whether a token was issued here and has not expired. */
  tokenValid(token: string, now = Date.now()): boolean {
    const expiresAt = this.tokens.get(token);
    return expiresAt !== undefined && now < expiresAt;
  }

  /** Always creates: whether the real MissionX rejects a duplicate customId is unknown, so never rely on it. */
  createClient(input: NewClient): MissionxClient {
    const now = new Date().toISOString();
    const client: MissionxClient = {
      _id: newObjectId(),
      customId: input.customId,
      title: input.title,
      emailDomains: input.emailDomains ?? [],
      departments: input.departments ?? [],
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    this.clients.push(client);
    return client;
  }

  list(filter: { customId?: string } = {}): MissionxClient[] {
    return this.clients.filter((c) => filter.customId === undefined || c.customId === filter.customId);
  }

  get(id: string): MissionxClient | undefined {
    return this.clients.find((c) => c._id === id);
  }

  update(id: string, patch: ClientPatch): MissionxClient | undefined {
    const client = this.get(id);
    if (!client) return undefined;
    Object.assign(client, patch, { updatedAt: new Date().toISOString() });
    return client;
  }

  /** Forgets the clients; issued tokens stay valid so a client's cached token survives a test reset. */
  reset(): void {
    this.clients = [];
  }
}
