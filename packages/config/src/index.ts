export * from './datasheets';
export * from './field-mapping';
export * from './load';
export * from './sections';
