import { loadConfigOrExit, loadEnvFile, redactConfig } from '@bridge/config';
import { buildDeps, INGEST_SECTIONS } from './deps';
import { startIngest } from './server';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfigOrExit(process.env, INGEST_SECTIONS);
  const deps = buildDeps(config);
  const running = await startIngest(deps, { port: config.INGEST_PORT });
  deps.logger.info('ingest listening', { port: running.port, metricsPort: running.metricsPort, config: redactConfig(config) });

  // A second signal while shutting down falls through to Node's default: exit at once.
  const stop = (signal: NodeJS.Signals) => {
    running.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        deps.logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
