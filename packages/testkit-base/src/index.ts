export * from './database';
export * from './env';
export * from './wait';
export * from './logs';
export * from './rate';
export * from './run-script';
export * from './ports';
export * from './redis-topology';
