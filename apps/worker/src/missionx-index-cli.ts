import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadEnvFile } from '@bridge/config';
import { createDb, createSyncRepo } from '@bridge/db';
import { describeError } from '@bridge/errors';
import { createLogger } from '@bridge/logger';
import { MissionxApiClient, missionxOptionsFromConfig } from '@bridge/missionx';
import { indexMissionxClients, type IndexResult } from './use-cases/index-missionx-clients';

// `npm run missionx:index`: MissionX cannot search clients by customId, so the bridge knows its
// clients only from its sync rows. Clients made for leads before the bridge (by hand, or by an
// earlier integration using the record id as customId) are linked here, once, before any backfill.
const USAGE = `Link existing MissionX clients to their AITable leads (customId = the lead's record id).

Usage:
  npm run missionx:index -- [--dry-run] [--json]

  --dry-run   list what would be linked; change nothing
  --json      print one JSON document

Pages through every client once, 100 a page (archived ones too): ⌈clients / 100⌉ calls.
A lead with several clients is linked to the oldest; the others are listed. A sync row that
already names another client is left alone and listed as a conflict.

Exit codes: 0 ok, 1 MissionX or the database failed, or a conflict was found, 2 bad arguments, 3 configuration.`;

const EXIT = { ok: 0, failed: 1, usage: 2, config: 3 } as const;
const SECTIONS = ['datasheets', 'missionx'] as const;

function print(r: IndexResult): void {
  const verb = r.dryRun ? 'would link' : 'linked';
  process.stdout.write(
    `${r.clients} MissionX clients read in ${r.calls} calls: ${r.linked} ${verb}, ${r.already} already linked, ${r.conflicts} conflicts\n`,
  );
  for (const rec of r.records) {
    const extra = [rec.rowClientId ? `row names ${rec.rowClientId}` : '', rec.others ? `also carried by ${rec.others.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    process.stdout.write(`  ${rec.outcome.padEnd(10)} ${rec.recordId} -> ${rec.clientId}${extra ? `  (${extra})` : ''}\n`);
  }
}

async function main(): Promise<number> {
  let close: () => Promise<void> = async () => undefined;
  try {
    let args;
    try {
      args = parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          'dry-run': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values;
    } catch (err) {
      process.stderr.write(`error: ${describeError(err)}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    loadEnvFile();
    const config = loadConfig(process.env, SECTIONS);
    const logger = createLogger({
      service: 'missionx-index',
      level: 'warn',
      format: config.LOG_FORMAT ?? 'pretty',
      stream: process.stderr,
    });
    const db = createDb({ databaseUrl: config.DATABASE_URL, poolSize: 2 });
    close = () => db.$disconnect();
    const result = await indexMissionxClients(
      {
        missionx: new MissionxApiClient(missionxOptionsFromConfig(config, { logger })),
        sync: createSyncRepo(db),
        leadsDatasheetId: config.AITABLE_LEADS_DATASHEET_ID,
        logger,
      },
      { dryRun: args['dry-run'] },
    );
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else print(result);
    return result.conflicts > 0 ? EXIT.failed : EXIT.ok;
  } catch (err) {
    const setup = err instanceof ConfigError;
    process.stderr.write(`${setup ? '' : 'error: '}${describeError(err)}\n`);
    return setup ? EXIT.config : EXIT.failed;
  } finally {
    await close();
  }
}

void main().then((code) => process.exit(code));
