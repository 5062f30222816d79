/**
 * The command line of a bench: `--help`/`-h` prints its usage and exits 0, and an unknown option or
 * a bad number exits 2 naming it, all before anything is started. `valueOptions` (`--name value`)
 * are taken out of the positional arguments and answered by `option(name)`.
 */
export function benchCli(
  usage: string,
  valueOptions: readonly string[] = [],
): { args: string[]; option(name: string): string | undefined; count(index: number, name: string, def: number, min?: number): number } {
  const argv = process.argv.slice(2);
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const fail = (problem: string): never => {
    process.stderr.write(`${problem}\n\n${usage}\n`);
    process.exit(2);
  };
  const values = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) args.push(a);
    else if (!valueOptions.includes(a)) fail(`unknown option ${a}`);
    else if (argv[i + 1] === undefined) fail(`${a} needs a value`);
    else values.set(a, argv[++i]!);
  }
  return {
    args,
    option: (name) => values.get(name),
    count(index, name, def, min = 1) {
      const raw = args[index];
      if (raw === undefined) return def;
      const n = Number(raw);
      return Number.isInteger(n) && n >= min ? n : fail(`${name} must be an integer >= ${min}, got "${raw}"`);
    },
  };
}
