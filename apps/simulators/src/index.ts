export { startSimulators, createSimulatorApp, type RunningSimulators } from './server';
export { defaultDatasheets } from './aitable/seeds';
export { SimControlClient } from './control/client';
export { SUPPORTED_FORMULA } from './aitable/formula';
export { MAX_RECORDS_PER_WRITE } from './aitable/handlers';
export { SimState } from './state';
export type { RequestFilter } from './request-log';
export type * from './types';
