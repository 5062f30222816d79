export * from './connection';
export * from './job-options';
export * from './payloads';
export * from './queues';
export * from './reconcile';
export * from './run-job';
export * from './retention';
export * from './scheduled';
