export * from './metrics-endpoint';
export * from './server';
export * from './rate-limit';
