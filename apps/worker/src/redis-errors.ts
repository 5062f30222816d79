// Moved to @bridge/logger, which ingest uses too; kept so the worker's wiring files need no edit.
export { logErrorsThrottled } from '@bridge/logger';
