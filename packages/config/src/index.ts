export * from './load';
export * from './sections';
