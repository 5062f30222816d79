export * from './database';
export * from './env';
export * from './wait';
export * from './logs';
export * from './queues';
export * from './queue-harness';
export * from './rate';
