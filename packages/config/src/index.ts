export * from './datasheets';
export * from './load';
export * from './sections';
export * from './stored-password';
