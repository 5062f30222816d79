export * from './datasheets';
export * from './load';
export * from './sections';
