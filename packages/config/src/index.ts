export * from './datasheets';
export * from './env-file';
export * from './field-mapping';
export * from './load';
export * from './redis';
export * from './sections';
export * from './stored-password';
