export { startWorkerRuntime, type WorkerRuntime } from './runtime';
export type { WorkerConfig } from './create-deps';
export { buildFieldMapping, DEFAULT_FIELDS, type FieldMapping } from './field-mapping';
