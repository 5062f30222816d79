import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadEnvFile, personalFieldNames } from '@bridge/config';
import { pingDb } from '@bridge/db';
import { isAppError } from '@bridge/errors';
import { deliveryRulesFromConfig, type DeliveryRules } from '@bridge/ops';
import { createMaskPolicy, type MaskPolicy } from '@bridge/privacy';
import { pingRedis } from '@bridge/queues';
import { runConflictsCommand } from './cli/conflicts-command';
import { runDeliveriesCommand } from './cli/deliveries-command';
import { runJobsCommand } from './cli/jobs-command';
import { runRecordCommand } from './cli/record-command';
import { createOutput } from './cli/output';
import { ConnectionError, EXIT, USAGE, UsageError } from './cli/usage';
import { openConnections, optionalMissionx, type Connections } from './connections';

const OPTIONS = {
  queue: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  record: { type: 'string' },
  error: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  reason: { type: 'string' },
  datasheet: { type: 'string' },
  outcome: { type: 'string' },
  'awaiting-fix': { type: 'boolean', default: false },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  'content-type': { type: 'string' },
  'show-personal-data': { type: 'boolean', default: false },
  client: { type: 'string' },
  delivery: { type: 'string' },
  open: { type: 'boolean', default: false },
  take: { type: 'string' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

type CliConnections = Connections & { datasheets: DeliveryRules; mask: MaskPolicy };

async function run({ values: v, positionals }: ReturnType<typeof parse>, conns: () => Promise<CliConnections>): Promise<number> {
  const [command, action, id, ...extra] = positionals;
  if (v.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (command === 'record') {
    if (id !== undefined) throw new UsageError(`unexpected argument "${id}"`);
    const c = await conns();
    const out = createOutput(c.mask, v['show-personal-data']);
    const deps = { db: c.db, queues: c.queues, datasheets: c.datasheets, missionx: optionalMissionx(process.env) };
    return runRecordCommand(deps, { id: action, client: v.client, delivery: v.delivery, json: v.json }, out);
  }
  if (command !== 'jobs' && command !== 'deliveries' && command !== 'conflicts')
    throw new UsageError(command ? `unknown command "${command}"` : 'missing command: jobs, deliveries, conflicts or record');
  if ((command === 'jobs' && action !== undefined) || extra.length > 0)
    throw new UsageError(`unexpected argument "${command === 'jobs' ? action : extra[0]}"`);
  const c = await conns();
  const out = createOutput(c.mask, v['show-personal-data']);
  if (command === 'jobs') {
    return runJobsCommand(c.queues, { ...v, dryRun: v['dry-run'] }, out);
  }
  if (command === 'conflicts') return runConflictsCommand({ db: c.db, queues: c.queues, out }, { ...v, action, id });
  return runDeliveriesCommand(
    { db: c.db, queues: c.queues, datasheets: c.datasheets, out },
    { ...v, action, id, awaitingFix: v['awaiting-fix'], bodyFile: v['body-file'], contentType: v['content-type'] },
  );
}

async function main(): Promise<number> {
  let opened: CliConnections | undefined;
  let showPersonalData = false;
  // Config and connections are opened only once the arguments are known to be right, so a
  // typo answers 2 at once even where no Redis is reachable.
  const conns = async () => {
    loadEnvFile(process.cwd(), { demo: true });
    const config = loadConfig(process.env, ['jobs', 'datasheets']);
    // Connection errors are reported once, below, from the pings.
    const mask = createMaskPolicy({ personalFields: personalFieldNames(config) });
    opened = { ...openConnections(config, () => undefined), datasheets: deliveryRulesFromConfig(config), mask };
    const [redisOk, dbOk] = await Promise.all([pingRedis(opened.redis, 5000), pingDb(opened.db)]);
    if (!redisOk || !dbOk) {
      const down = [...(redisOk ? [] : ['Redis (REDIS_URL)']), ...(dbOk ? [] : ['Postgres (DATABASE_URL)'])];
      throw new ConnectionError(`cannot reach ${down.join(' and ')}; is it running, and is the URL right?`);
    }
    return opened;
  };
  try {
    const args = parse(process.argv.slice(2));
    showPersonalData = args.values['show-personal-data'];
    return await run(args, conns);
  } catch (err) {
    // Error messages can quote a value too; masked like the output.
    const shown = (text: string) => (showPersonalData ? text : (opened?.mask ?? createMaskPolicy()).text(text));
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError || err instanceof ConnectionError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.config;
    }
    if (isAppError(err)) {
      process.stderr.write(`error: ${shown(err.message)}\n`);
      return err.code === 'invalid_argument' ? EXIT.usage : EXIT.someFailed;
    }
    process.stderr.write(`error: ${shown(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT.someFailed;
  } finally {
    await opened?.close();
  }
}

void main().then((code) => process.exit(code));
