export * from './backfill-datasheet';
export * from './checkpoint';
export { compareKeys, scanWindows, type RecordKey, type Window } from './keyset';
