export { startWorkerRuntime, type WorkerRuntime } from './runtime';
export { WORKER_SECTIONS, type WorkerConfig } from './create-deps';
export { buildFieldMapping, DEFAULT_FIELDS, type FieldMapping } from '@bridge/config';
