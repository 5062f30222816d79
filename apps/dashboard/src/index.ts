export { createApp, type DashboardDeps } from './app';
export { authenticate, basicAuth, NoDashboardUsersError, type DashboardUser, type Principal } from './auth';
export { BOARD_PATH } from './board';
export { openConnections, type Connections } from './connections';
