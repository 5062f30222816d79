import type { ControlRoute } from './routes';
import type {
  ActiveFault,
  DatasheetSeed,
  FaultSpec,
  MissionxClient,
  MissionxProject,
  ProjectStatus,
  SimRecord,
  SimRequest,
  WithArchived,
} from '../types';
import type { InFlight } from '../in-flight';
import type { RequestFilter } from '../request-log';

/** Typed client of the simulators' `/__sim` control API; every method throws on a non-2xx answer. */
export class SimControlClient {
  private readonly base: string;

  /** @param baseUrl the simulators' root URL, e.g. `http://127.0.0.1:4010` */
  constructor(baseUrl: string) {
    this.base = `${baseUrl.replace(/\/+$/, '')}/__sim`;
  }

  /** Whether the simulators answer at all (`GET /__sim/health`); never throws. */
  async health(): Promise<boolean> {
    try {
      await this.call('GET', '/health');
      return true;
    } catch {
      return false;
    }
  }

  /** Records, requests, faults, MissionX clients and the rate limit back to the seeds and options. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  /** Adds or replaces a datasheet; it survives later resets. */
  async seedDatasheet(seed: DatasheetSeed): Promise<void> {
    await this.call('POST', '/aitable/datasheets', seed);
  }

  /** Creates a record as a user would in the UI: no request logged, no rate limit, unknown field names are errors. */
  async addRecord(datasheetId: string, fields: Record<string, unknown>, recordId?: string): Promise<{ recordId: string }> {
    return (await this.call('POST', `/aitable/datasheets/${enc(datasheetId)}/records`, { fields, recordId })) as { recordId: string };
  }

  async updateRecordAsUser(datasheetId: string, recordId: string, fields: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/aitable/datasheets/${enc(datasheetId)}/records/${enc(recordId)}`, { fields });
  }

  /** Every record of a datasheet in the REST API read format, in creation order. */
  async records(datasheetId: string): Promise<SimRecord[]> {
    return (await this.call('GET', `/aitable/datasheets/${enc(datasheetId)}/records`)) as SimRecord[];
  }

  /** Every API request received since the last reset, in order of arrival. */
  async requests(filter: RequestFilter = {}): Promise<SimRequest[]> {
    const params = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return (await this.call('GET', `/requests${params.size ? `?${params}` : ''}`)) as SimRequest[];
  }

  /** Rejects a fault with an unknown key or a bad value, naming it. */
  async injectFault(f: FaultSpec): Promise<void> {
    await this.call('POST', '/faults', f);
  }

  /** Faults with uses left, in matching order. */
  async faults(): Promise<ActiveFault[]> {
    return (await this.call('GET', '/faults')) as ActiveFault[];
  }

  /** Drops every fault not yet used; requests already held by a `hang` still get their answer. */
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** Answers now every request a `hang` with `hangMs` holds (a test decides when a held request lands); answers how many. */
  async releaseHeld(): Promise<number> {
    return ((await this.call('POST', '/faults/release')) as { released: number }).released;
  }

  /** The control routes, as `GET /__sim` lists them. */
  async routes(): Promise<ControlRoute[]> {
    return (await this.call('GET', '')) as ControlRoute[];
  }

  /** Per service: API requests being handled now, and the most at once since the last reset. */
  async inFlight(): Promise<Record<'aitable' | 'missionx', InFlight>> {
    return (await this.call('GET', '/in-flight')) as Record<'aitable' | 'missionx', InFlight>;
  }

  async setRateLimit(perSecond: number): Promise<void> {
    await this.call('PUT', '/aitable/rate-limit', { perSecond });
  }

  /** Simulated latency of one service's answers, `ms` ± `jitterMs`. */
  async setLatency(service: 'aitable' | 'missionx', ms: number, jitterMs = 0): Promise<void> {
    await this.call('PUT', '/latency', { service, ms, jitterMs });
  }

  /** Every MissionX client, archived ones included, in creation order. */
  async missionxClients(): Promise<WithArchived<MissionxClient>[]> {
    return (await this.call('GET', '/missionx/clients')) as WithArchived<MissionxClient>[];
  }

  /** A client made by a person in the MissionX web app (not through the API, so not in the request log). */
  async createMissionxClient(input: {
    title: string;
    customId?: string;
    emailDomains?: string[];
    departments?: string[];
  }): Promise<WithArchived<MissionxClient>> {
    return (await this.call('POST', '/missionx/clients', input)) as WithArchived<MissionxClient>;
  }

  /** Edits, archives or unarchives a client as a person would; its updatedAt moves. */
  async editMissionxClient(
    id: string,
    edit: Partial<Pick<MissionxClient, 'customId' | 'title' | 'emailDomains' | 'departments'>> & { archived?: boolean },
  ): Promise<WithArchived<MissionxClient>> {
    return (await this.call('PATCH', `/missionx/clients/${enc(id)}`, edit)) as WithArchived<MissionxClient>;
  }

  /** Adds `count` clients that are not the bridge's, made long ago (a reset removes them, unless seeded by option). */
  async seedMissionxClients(count: number): Promise<void> {
    await this.call('POST', '/missionx/clients/seed', { count });
  }

  async missionxProjects(): Promise<WithArchived<MissionxProject>[]> {
    return (await this.call('GET', '/missionx/projects')) as WithArchived<MissionxProject>[];
  }

  async createMissionxProject(input: {
    title: string;
    client?: string;
    customId?: string;
    projectStatus?: ProjectStatus;
  }): Promise<WithArchived<MissionxProject>> {
    return (await this.call('POST', '/missionx/projects', input)) as WithArchived<MissionxProject>;
  }

  async editMissionxProject(
    id: string,
    edit: { title?: string; client?: string | null; customId?: string; projectStatus?: ProjectStatus; archived?: boolean },
  ): Promise<WithArchived<MissionxProject>> {
    return (await this.call('PATCH', `/missionx/projects/${enc(id)}`, edit)) as WithArchived<MissionxProject>;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator control ${method} ${path} failed with ${res.status}: ${errorText(text)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

const enc = encodeURIComponent;

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : body;
  } catch {
    return body;
  }
}
