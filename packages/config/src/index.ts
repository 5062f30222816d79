export * from './datasheets';
export * from './env-file';
export * from './field-mapping';
export * from './field-ownership';
export * from './load';
export * from './redis';
export * from './sections';
export * from './stored-password';
