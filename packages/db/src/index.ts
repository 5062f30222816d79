export * from './client';
export * from './errors';
export * from './migrate';
export * from './sync-repo';
export * from './deliveries';
export * from './batch-writer';
export * from './sync-events';
export * from './retention';
