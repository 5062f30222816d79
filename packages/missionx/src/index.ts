export { MissionxApiClient, MAX_PAGE, oldestFirst, type CallOptions, type ClientQuery } from './client';
export { MISSIONX_ERROR_CODES } from './errors';
export {
  missionxOptionsFromConfig,
  type MissionxClientOptions,
  type MissionxConfigVars,
  type MissionxHooks,
  type MissionxOperation,
} from './options';
export { buildPortalUrl } from './portal-url';
export type { MissionxClient, MissionxClientPatch, MissionxProject, NewMissionxClient } from './schemas';
