/**
 * `npm run hash-password`: prints the `scrypt:…` form of a dashboard password to paste into
 * DASHBOARD_USERS (`user:<output>:role`). The password is read from a prompt that does not echo,
 * or from stdin when it is piped (`printf %s "$PW" | npm run -s hash-password`); never from the
 * command line, where it would land in shell history and the process list.
 */
import { parseStoredPassword } from '@bridge/config';
import { hashPassword } from './passwords';

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Raw (no echo) before the prompt shows, so nothing typed right after it is echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new Error('cancelled'));
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // One trailing newline is what `echo` adds, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readPiped();
  const first = await promptHidden('Dashboard password: ');
  if ((await promptHidden('Again: ')) !== first) throw new Error('the two passwords differ');
  return first;
}

async function main(): Promise<void> {
  if (process.argv.length > 2) {
    throw new Error('takes no arguments: type the password at the prompt, or pipe it in (printf %s "$PW" | npm run -s hash-password)');
  }
  const password = await readPassword();
  const parsed = parseStoredPassword(password);
  if (!parsed.ok || parsed.password.kind !== 'plain') {
    throw new Error('the password must be at least 8 characters and must not start with scrypt: or sha256:');
  }
  if (/,/.test(password)) throw new Error('the password must not contain a comma (DASHBOARD_USERS separates users with commas)');
  process.stdout.write(`${await hashPassword(password)}\n`);
  process.stderr.write('Put it in DASHBOARD_USERS as <user>:<the line above>:<viewer|operator>.\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`hash-password: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
