/**
 * What personal data looks like, wherever it may turn up: keys that hold it (email, phone, a
 * person's name) and patterns that find it inside any text (email addresses, phone numbers).
 * Viewer-facing masking (policy.ts) and log redaction (@bridge/logger) both use these.
 */

// Keys compared after lowercasing and dropping everything but letters and digits, so
// `Client Name`, `client_name` and `clientName` all match. Configured AITable field names
// (the lead mapping, PERSONAL_DATA_FIELDS) are added by the policy; these catch the rest.
// A bare `name` is not here: queues, jobs and errors have names too.
const PERSONAL_KEY = /(e?mail|phone|mobile|telephone|^tel$|clientname|contactname|fullname|firstname|lastname|personname)/;

/** A key in the compared form: lowercase letters and digits only. */
export const normalizeKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** True for keys that hold personal data whatever the configuration (email, phone, a person's name). */
export function isPersonalKey(key: string): boolean {
  return PERSONAL_KEY.test(normalizeKey(key));
}

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// A run of digits with the separators phone numbers are written with, not glued to a word,
// an id or a UUID segment (letters, digits, `-` or `_` right before or after).
const PHONE_IN_TEXT = /(?<![\w-])\+?\(?\d[\d\s()./-]{5,}\d(?![\w-])/g;
// Digit runs that are not phone numbers: dates, times, dotted IPv4 addresses.
const NOT_A_PHONE = [/^\d{4}-\d{2}-\d{2}$/, /^\d{1,3}(\.\d{1,3}){3}$/, /^\d{4}\/\d{2}\/\d{2}$/];

const star = (s: string) => (s.length === 0 ? '' : `${s[0]}***`);

/** `jane.doe@example.co.uk` → `j***@e***.uk`: the shape stays, so two records can still be told apart. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return star(email);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${star(email.slice(0, at))}@${star(dot > 0 ? domain.slice(0, dot) : domain)}${tld}`;
}

/** `+44 20 7946 0958` → `***58`. */
const maskPhone = (digits: string) => `***${digits.slice(-2)}`;

/** Every email address and phone-number-like digit run inside free text masked. */
export function maskPatterns(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, (m) => maskEmail(m))
    .replace(PHONE_IN_TEXT, (m) => {
      const digits = m.replace(/\D/g, '');
      const candidate = m.trim();
      if (digits.length < 7 || digits.length > 15 || NOT_A_PHONE.some((re) => re.test(candidate))) return m;
      return maskPhone(digits);
    });
}

/**
 * The value of a personal field, masked: an email keeps its shape, a phone number its last two
 * digits, anything else (a name, a company) the initial of each word. Objects (AITable cell
 * values such as `{text}`) show nothing.
 */
export function maskPersonalValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value === 'number') return maskPhone(String(value));
  if (typeof value === 'string') {
    if (value.includes('@')) return maskEmail(value.trim());
    const digits = value.replace(/\D/g, '');
    if (digits.length >= 6 && /^[\d\s+()./-]+$/.test(value)) return maskPhone(digits);
    return value.split(/\s+/).filter(Boolean).map(star).join(' ');
  }
  if (Array.isArray(value)) return value.map(maskPersonalValue);
  return '***';
}
