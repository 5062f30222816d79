export * from '@bridge/testkit-base';
export * from './database';
export * from './queues';
export * from './queue-harness';
export * from './slow-client';
