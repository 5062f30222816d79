/**
 * Masking of personal data for the screens and outputs people look at (Bull Board job views,
 * failed-job listings). Logs have their own key-based redaction in @bridge/logger; here the
 * shape stays visible (`j***@e***.com`) so an operator can still tell two records apart.
 */

// Keys compared after lowercasing and dropping everything but letters and digits, so
// `Client Name`, `client_name` and `clientName` all match. Field names are configurable
// in AITable, hence the loose matches on email/phone.
const PERSONAL_KEY = /(e?mail|phone|mobile|telephone|^tel$|clientname|contactname|fullname|firstname|lastname|personname|^name$)/;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** True for keys whose values are personal data (email, phone, a person's name). */
export function isPersonalKey(key: string): boolean {
  return PERSONAL_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

const star = (s: string) => (s.length === 0 ? '' : `${s[0]}***`);

/** `jane.doe@example.co.uk` → `j***@e***.uk`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return star(email);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${star(email.slice(0, at))}@${star(dot > 0 ? domain.slice(0, dot) : domain)}${tld}`;
}

/** Every email address inside free text (an error message, a stack trace) masked. */
export function maskEmailsInText(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (m) => maskEmail(m));
}

function maskPersonalValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value === 'string') {
    if (value.includes('@')) return maskEmail(value.trim());
    const digits = value.replace(/\D/g, '');
    // A phone number keeps its last two digits; a name keeps the initial of each word.
    if (digits.length >= 6 && /^[\d\s+().\/-]+$/.test(value)) return `***${digits.slice(-2)}`;
    return value.split(/\s+/).filter(Boolean).map(star).join(' ');
  }
  if (Array.isArray(value)) return value.map(maskPersonalValue);
  // Automation variables can be objects ({text, ...}); nothing inside them is shown.
  return '***';
}

/**
 * A deep copy of `value` with personal data masked: the values of personal keys (email,
 * phone, client/contact name...) and any string that contains an email address.
 * Cycles and very deep nesting are cut off.
 */
export function maskPersonalData(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskEmailsInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 10 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isPersonalKey(k) ? maskPersonalValue(v) : maskPersonalData(v, depth + 1, seen);
  }
  return out;
}
