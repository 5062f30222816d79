/** AITable field types the simulator knows (the ones aitable-bridge uses). */
export type FieldType = 'SingleText' | 'Text' | 'Email' | 'Phone' | 'Number' | 'DateTime' | 'SingleSelect' | 'URL' | 'Link' | 'Checkbox';

/** One field of a seeded datasheet; the first field of a datasheet is its primary field. */
export interface FieldSeed {
  name: string;
  type: FieldType;
  /** Option names of a SingleSelect field. */
  options?: string[];
  /** Datasheet a Link field points to. */
  linkDatasheetId?: string;
}

/** A datasheet to create, with optional records written under the same value rules as the REST API. */
export interface DatasheetSeed {
  id: string;
  name: string;
  fields: FieldSeed[];
  records?: { recordId?: string; fields: Record<string, unknown> }[];
}

export interface SimulatorOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  aitable?: {
    /** Bearer tokens accepted. @defaultValue `['sim-aitable-key']` */
    apiKeys?: string[];
    /** Requests per second per datasheet per token. @defaultValue 5 */
    rateLimitPerSecond?: number;
    /** @defaultValue `defaultDatasheets()` */
    datasheets?: DatasheetSeed[];
  };
  missionx?: {
    /** @defaultValue `sim-client` */
    clientId?: string;
    /** @defaultValue `sim-secret` */
    clientSecret?: string;
    /** @defaultValue `sim-org` */
    orgId?: string;
    /** @defaultValue 3600 */
    tokenTtlSeconds?: number;
    /** Clients that are not the bridge's (made long ago in the web app), seeded at start and on every reset. @defaultValue 0 */
    seedClients?: number;
  };
  /** Added delay per service (simulated network latency). @defaultValue none */
  latency?: Partial<Record<'aitable' | 'missionx', { ms: number; jitterMs?: number }>>;
  /** Called with each API request once it is answered, e.g. to log it. */
  onRequest?: (request: SimRequest) => void;
}

/** One API request the simulators received (control calls are not logged). */
export interface SimRequest {
  service: 'aitable' | 'missionx';
  method: string;
  /** Path without the query string, e.g. `/fusion/v1/datasheets/dstLeadsSim/records`. */
  path: string;
  query: Record<string, unknown>;
  /** Parsed JSON or form body; `undefined` when there was none. */
  body: unknown;
  /** HTTP status answered; 0 while the request is still pending (a hang fault). */
  status: number;
  /** When it arrived, epoch ms. */
  at: number;
  datasheetId?: string;
}

/** A MissionX client (portal) as the API answers it: exactly the documented fields. */
export interface MissionxClient {
  _id: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  customId: string;
  title: string;
  emailDomains: string[];
  departments: string[];
}

export type ProjectStatus = 'open' | 'completed' | 'cancelled';

/** The project fields the simulator keeps (a subset of the documented ones: those a sync reads). */
export interface MissionxProject {
  _id: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  org: string;
  /** A client `_id`, or null for an internal project. */
  client: string | null;
  customId: string;
  title: string;
  projectStatus: ProjectStatus;
  inviteDomains: string[];
}

/** A client or project as the control API lists it: with `archived`, which only the web app changes. */
export type WithArchived<T> = T & { archived: boolean };

/** A record in the REST API read format (`cellFormat=json`, `fieldKey=name`). */
export interface SimRecord {
  recordId: string;
  createdAt: number;
  updatedAt: number;
  fields: Record<string, unknown>;
}

export type FaultKind = 'status' | 'hang' | 'rate_limit' | 'envelope_error' | 'cut_after' | 'body';

/**
 * The next `count` requests matching service, method and path substring are answered by the fault.
 * `hang` waits `hangMs` and then handles the request normally (it takes effect, as on a slow real
 * server); without `hangMs` it never answers and has no effect. `cut_after` handles the request
 * normally, then closes the connection instead of sending the answer (the effect happened, the
 * client never learns it). `body` answers `status` (default 200) with `body` instead (JSON, or a string sent as HTML)
 * without handling the request.
 */
export interface FaultSpec {
  service: 'aitable' | 'missionx';
  method?: string;
  pathIncludes?: string;
  count: number;
  kind: FaultKind;
  status?: number;
  code?: number;
  message?: string;
  hangMs?: number;
  /** For `body`: the answer's body; a string is sent as text/html. */
  body?: unknown;
}

/** An injected fault as `GET /__sim/faults` lists it: with the uses it has left. */
export interface ActiveFault extends FaultSpec {
  remaining: number;
}
