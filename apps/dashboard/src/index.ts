export { createApp, type DashboardDeps } from './app';
export { basicAuth, createAuthenticator, NoDashboardUsersError, type DashboardUser, type Principal } from './auth';
export { BOARD_PATH } from './board';
export { openConnections, type Connections } from './connections';
export { INSIGHT_PAGE_APIS, INSIGHT_SERIES_CHARTS } from './routes/insight';
export { INSIGHT_PAGE_ANSWER } from './views/insight-page';
export { startDashboard, DASHBOARD_SECTIONS, type DashboardConfig, type RunningDashboard } from './server';
export { hashPassword } from './passwords';
