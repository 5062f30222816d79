export * from './metrics-endpoint';
export * from './server';
export * from './rate-limit';
export * from './no-store';
