import { createMaskPolicy, maskPatterns } from '../src';
import { ADVERSARIAL_TEXT as ADVERSARIAL, MB } from '@bridge/testkit-base';

const policy = createMaskPolicy({ personalFields: ['Client Name', 'Email', 'Phone'] });

/** Best of three runs, in ms: the least disturbed by whatever else the machine does. */
function bestTime(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

// Issue 15 sets the bound: a 1 MB value in an answer must not hold the event loop for 200 ms. That is a
// speed, and a test sharing the cores cannot assert a clock without failing under load; what is
// asserted is the cause. What answers show is cut first (the marker), and free text masked whole
// (policy.text) is checked for its growth: 8× the input must cost about 8× the time (the old patterns
// grew with the square: 64×, and needed 2.8 s for 50 KB). The 10 s given to the tests below is a hang
// guard: a quadratic 1 MB needs minutes.
const HANG_GUARD_MS = 10_000;
describe('masking in linear time', () => {
  test.each(Object.entries(ADVERSARIAL))('when free text is %s, then masking 1 MB costs about 8 times masking 128 KB', (_name, text) => {
    const eighth = text.slice(0, text.length / 8);
    // A long-running server has its code compiled: the first, small run is not measured.
    policy.text(text.slice(0, 10_000));
    // Below 5 ms a run is mostly timer noise and GC; a quadratic 1 MB would take seconds whatever the floor.
    const ratio =
      bestTime(() => policy.text(text)) /
      Math.max(
        bestTime(() => policy.text(eighth)),
        5,
      );
    // Linear is 8; quadratic would be 64.
    expect(ratio).toBeLessThan(32);
  });

  test.each(Object.entries(ADVERSARIAL))(
    'when an answer holds %s (1 MB), then what is shown is cut before it is masked',
    (_name, text) => {
      const shown = policy.value({ job: { data: { Notes: text } }, rawBody: text });
      // 10,000 characters are kept; masking may lengthen them a little.
      expect(shown.job.data.Notes.length).toBeLessThan(20_000);
      // Cut first, 1 MB costs about what 20 KB does; masked whole and then cut, about 50 times as much.
      const small = text.slice(0, 20_000);
      const ratio =
        bestTime(() => policy.value({ job: { data: { Notes: text } }, rawBody: text })) /
        Math.max(
          bestTime(() => policy.value({ job: { data: { Notes: small } }, rawBody: small })),
          1,
        );
      expect(ratio).toBeLessThan(10);
      expect(shown.job.data.Notes.slice(-60)).toMatch(/… \[truncated: showing [\d,]+ of [\d,]+ characters\]$/);
    },
    HANG_GUARD_MS,
  );

  test(
    'when a 1 MB text holds addresses and phone numbers, then every one is found',
    () => {
      const chunk = 'mail jane.doe@example.com or call +44 20 7946 0958, ';
      const text = chunk.repeat(Math.ceil(MB / chunk.length));
      const out = maskPatterns(text);
      expect(out).not.toMatch(/jane|7946/);
      expect(out.split('j***@e***.com').length - 1).toBe(Math.ceil(MB / chunk.length));
    },
    HANG_GUARD_MS,
  );

  test(
    'when a value is 1 MB long, then what is shown is cut with a visible marker and masked up to the cut',
    () => {
      const shown = policy.value({ Notes: `call +44 20 7946 0958 ${'x'.repeat(MB)}`, short: 'kept whole' });
      expect(shown.Notes.length).toBeLessThan(11_000);
      expect(shown.Notes.slice(0, 15)).toBe('call ***58 xxxx');
      expect(shown.Notes.slice(-60)).toMatch(/x… \[truncated: showing 10,000 of 1,048,598 characters\]$/);
      expect(shown.short).toBe('kept whole');
    },
    HANG_GUARD_MS,
  );

  test('when a cut would split an address or a phone number, then the cut falls before it', () => {
    const p = createMaskPolicy({ maxShownChars: 40 });
    const email = p.value(`${'word '.repeat(6)}jonathan.smith@example.com and more words`);
    expect(email).not.toMatch(/jonathan|smith/);
    expect(email).toMatch(/^(word ){6}… \[truncated: showing 30 of 71 characters\]$/);
    const phone = p.value(`${'word '.repeat(6)}+44 20 7946 0958 and more words here`);
    expect(phone).not.toMatch(/7946|44 20/);
  });

  test('when a stored body is not JSON and 1 MB long, then it is cut and masked; a JSON body is masked by field and then cut', () => {
    const broken = `{"Client Name": "Zebulon Quartermaine", "Notes": "${'n'.repeat(MB)}`;
    const shownBroken = policy.body(broken);
    expect(shownBroken.slice(0, 55)).toBe('{"Client Name": "Z*** Q***", "Notes": "nnnnnnnnnnnnnnnn');
    expect(shownBroken.slice(-60)).toMatch(/n… \[truncated: showing 10,000 of 1,048,626 characters\]$/);
    const json = JSON.stringify({
      'Client Name': 'Zebulon Quartermaine',
      list: Array.from({ length: 2000 }, (_, i) => `item ${i} `.repeat(60)),
    });
    const shownJson = policy.body(json);
    expect(shownJson.slice(0, 50)).toBe('{"Client Name":"Z*** Q***","list":["item 0 item 0 ');
    expect(shownJson.slice(-60)).toMatch(/… \[truncated: showing 10,000 of [\d,]+ characters\]$/);
  });
});
