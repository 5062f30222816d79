export { createApp } from './app';
export { buildDeps, closeDeps, warmUp, INGEST_SECTIONS, type BuildOptions, type IngestConfig, type IngestDeps } from './deps';
export { AUDIT_RESULTS_PATH, WEBHOOK_PATH } from './routes/deliveries';
export { startIngest, type RunningIngest } from './server';
