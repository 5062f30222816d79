export * from './metrics-endpoint';
export * from './server';
export * from './no-store';
