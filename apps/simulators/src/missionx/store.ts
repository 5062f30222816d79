import { randomBytes } from 'node:crypto';
import { newObjectId } from '../ids';
import type { MissionxClient, MissionxProject, ProjectStatus } from '../types';

export interface MissionxSettings {
  clientId: string;
  clientSecret: string;
  orgId: string;
  tokenTtlSeconds: number;
  /** Clients that are not the bridge's, made at start and after every reset. */
  seedClients: number;
}

export interface NewClient {
  customId?: string;
  title?: string;
  emailDomains?: string[];
  departments?: string[];
}

export type ClientPatch = Partial<Pick<MissionxClient, 'customId' | 'title' | 'emailDomains' | 'departments'>>;

export interface NewProject {
  title: string;
  client?: string;
  customId?: string;
  projectStatus?: ProjectStatus;
}

export type ProjectPatch = Partial<Pick<MissionxProject, 'title' | 'client' | 'customId' | 'projectStatus'>>;

/** A stored document: the API shape plus the archived flag, which only the web app changes. */
type Stored<T> = T & { archived: boolean };

/** Who `createdBy` names for writes through the API (the organisation's API integration) and through the web app. */
export const API_USER = '65f0000000000000000000a1';
export const WEB_USER = '65f0000000000000000000b2';

/** MissionX clients, projects and issued access tokens, in memory. */
export class MissionxStore {
  private clients: Stored<MissionxClient>[] = [];
  private projects: Stored<MissionxProject>[] = [];
  /** Access token → expiry, epoch ms. */
  private readonly tokens = new Map<string, number>();
  private lastStamp = 0;

  constructor(readonly settings: MissionxSettings) {
    this.seedForeign(settings.seedClients);
  }

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

  /** Always creates: customId is "for your system" and unique nowhere, so a duplicate is accepted. */
  createClient(input: NewClient, by = API_USER): Stored<MissionxClient> {
    const now = this.stamp();
    const client: Stored<MissionxClient> = {
      _id: newObjectId(),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
      customId: input.customId ?? '',
      title: input.title ?? '',
      emailDomains: input.emailDomains ?? [],
      departments: input.departments ?? [],
      archived: false,
    };
    this.clients.push(client);
    return client;
  }

  /** Every client, archived ones included, in creation order. */
  allClients(): Stored<MissionxClient>[] {
    return this.clients;
  }

  client(id: string): Stored<MissionxClient> | undefined {
    return this.clients.find((c) => c._id === id);
  }

  /** Applies a change and moves `updatedAt`, as any write in MissionX does. */
  updateClient(id: string, patch: ClientPatch & { archived?: boolean }): Stored<MissionxClient> | undefined {
    const client = this.client(id);
    if (!client) return undefined;
    Object.assign(client, patch, { updatedAt: this.stamp() });
    return client;
  }

  createProject(input: NewProject, by = WEB_USER): Stored<MissionxProject> {
    const now = this.stamp();
    const project: Stored<MissionxProject> = {
      _id: newObjectId(),
      createdBy: by,
      createdAt: now,
      updatedAt: now,
      org: this.settings.orgId,
      client: input.client ?? null,
      customId: input.customId ?? '',
      title: input.title,
      projectStatus: input.projectStatus ?? 'open',
      inviteDomains: ['ANY'],
      archived: false,
    };
    this.projects.push(project);
    return project;
  }

  allProjects(): Stored<MissionxProject>[] {
    return this.projects;
  }

  updateProject(id: string, patch: ProjectPatch & { archived?: boolean }): Stored<MissionxProject> | undefined {
    const project = this.projects.find((p) => p._id === id);
    if (!project) return undefined;
    Object.assign(project, patch, { updatedAt: this.stamp() });
    return project;
  }

  /**
   * Adds `count` clients made by people in the web app, long ago (spread over the year before
   * now), with customIds of another system: the organisation the bridge joins is not empty.
   */
  seedForeign(count: number): void {
    const start = Date.now() - 365 * 24 * 3600 * 1000;
    const step = Math.floor((364 * 24 * 3600 * 1000) / Math.max(count, 1));
    for (let i = 0; i < count; i++) {
      const at = new Date(start + i * step).toISOString();
      this.clients.push({
        _id: newObjectId(),
        createdBy: WEB_USER,
        createdAt: at,
        updatedAt: at,
        customId: `crm-${String(i + 1).padStart(6, '0')}`,
        title: `Existing client ${i + 1}`,
        emailDomains: [`client${i + 1}.example`],
        departments: [],
        archived: false,
      });
    }
  }

  /** Forgets clients and projects and seeds the foreign clients again; issued tokens stay valid across a test reset. */
  reset(): void {
    this.clients = [];
    this.projects = [];
    this.seedForeign(this.settings.seedClients);
  }

  /** Now as an ISO string, never equal to or before the previous write's (ordering by updatedAt stays total). */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }
}
