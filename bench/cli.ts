/**
 * The command line of a bench: `--help`/`-h` prints its usage and exits 0, and an unknown option or
 * a bad number exits 2 naming it, all before anything is started.
 */
export function benchCli(usage: string): { args: string[]; count(index: number, name: string, def: number, min?: number): number } {
  const args = process.argv.slice(2);
  if (args.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const fail = (problem: string): never => {
    process.stderr.write(`${problem}\n\n${usage}\n`);
    process.exit(2);
  };
  const option = args.find((a) => a.startsWith('-'));
  if (option) fail(`unknown option ${option}`);
  return {
    args,
    count(index, name, def, min = 1) {
      const raw = args[index];
      if (raw === undefined) return def;
      const n = Number(raw);
      return Number.isInteger(n) && n >= min ? n : fail(`${name} must be an integer >= ${min}, got "${raw}"`);
    },
  };
}
