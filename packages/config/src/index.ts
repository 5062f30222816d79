export * from './datasheets';
export * from './env-file';
export * from './load';
export * from './sections';
export * from './stored-password';
