import { loadConfigOrExit, loadEnvFile } from '@bridge/config';
import { applyMigrations } from './migrate';

async function main(): Promise<void> {
  loadEnvFile(process.cwd(), { demo: true });
  const config = loadConfigOrExit(process.env, []);
  const { applied, alreadyApplied } = await applyMigrations({ databaseUrl: config.DATABASE_URL, log: (l) => console.log(l) });
  console.log(`migrations: ${applied.length} applied, ${alreadyApplied.length} already applied`);
}

main().catch((err: unknown) => {
  console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
