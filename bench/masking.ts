/**
 * Masking what the dashboard shows, against the inputs the old patterns backtracked over (1 MB
 * each): the time to show an answer holding one (issue 15's bound: under 200 ms, so the event loop
 * is not held), and the growth of masking free text whole from 128 KB to 1 MB (linear is 8×).
 * The baseline is JSON.stringify of the same answer in the same process, so a figure reads the same
 * on a fast or a slow machine. Prints figures; asserts nothing. Run: npx tsx bench/masking.ts [rounds=5]
 */
import { createMaskPolicy } from '@bridge/privacy';
import { ADVERSARIAL_TEXT } from '@bridge/testkit-base';
import { benchCli } from './cli';

const cli = benchCli(`Usage: npx tsx bench/masking.ts [rounds=5]

For each input the old masking patterns backtracked over (1 MB), the best of <rounds> times to show an
answer holding it, against JSON.stringify of the same answer, and the growth of masking it whole from
128 KB to 1 MB (linear is 8x, quadratic 64x).`);
const ROUNDS = cli.count(0, 'rounds', 5);

const policy = createMaskPolicy({ personalFields: ['Client Name', 'Email', 'Phone'] });

function best(run: () => unknown): number {
  let ms = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    run();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

console.log(`masking 1 MB inputs, best of ${ROUNDS} (goal: an answer shown in under 200 ms; linear growth 8x)`);
for (const [name, text] of Object.entries(ADVERSARIAL_TEXT)) {
  const answer = { job: { data: { Notes: text } }, rawBody: text };
  // A running dashboard has its code compiled: a small first run is not measured.
  policy.value({ Notes: text.slice(0, 10_000) });
  const shown = best(() => policy.value(answer));
  const baseline = best(() => JSON.stringify(answer));
  const whole = best(() => policy.text(text));
  const eighth = best(() => policy.text(text.slice(0, text.length / 8)));
  console.log(
    `  ${name}: answer shown in ${shown.toFixed(1)} ms (${(shown / baseline).toFixed(2)}x JSON.stringify of it, ${baseline.toFixed(1)} ms); ` +
      `masked whole ${whole.toFixed(0)} ms, ${(whole / Math.max(eighth, 0.001)).toFixed(1)}x the 128 KB run`,
  );
}
