/** 1 MB, the size issue 15 bounds masking at. */
export const MB = 1024 * 1024;

/** Runs of characters the old masking patterns backtracked over, each about 1 MB long (a test's and a bench's inputs). */
export const ADVERSARIAL_TEXT: Record<string, string> = {
  'a run of local-part characters': 'a'.repeat(MB),
  'a run with dots and plus signs': 'a.b+c_d%e-'.repeat(MB / 10),
  'at signs without a domain': 'a@'.repeat(MB / 2),
  'local parts before an at sign, no dot after': `${'x'.repeat(60)}@${'y'.repeat(200)} `.repeat(MB / 262),
  'digits glued by dashes after brackets': '(1-'.repeat(MB / 3),
  'digits and spaces': '1 '.repeat(MB / 2),
  'one long number': '9'.repeat(MB),
  'a personal key with an endless value': `{"Email": "${'z, '.repeat(MB / 3)}`,
  'personal keys with commas': '"Phone": 1, "Phone": 1,'.repeat(MB / 24),
};
