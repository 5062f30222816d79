/**
 * What personal data looks like, wherever it may turn up: keys that hold it (email, phone, a
 * person's name) and patterns that find it inside any text (email addresses, phone numbers).
 * Viewer-facing masking (policy.ts) and log redaction (@bridge/logger) both use these.
 */
import { findEmails, findPhoneRuns, replaceSpans } from './scan';

// Keys compared after lowercasing and dropping everything but letters and digits (accents too),
// so `Client Name`, `client_name` and `clientName` all match, and `Teléfono` reads `telefono`. Configured AITable field names
// (the lead mapping, PERSONAL_DATA_FIELDS) are added by the policy; these catch the rest.
// A bare `name` is not here: queues, jobs and errors have names too. Phone keys in the languages
// CRM fields are named in (Telefon, Handy, téléphone, teléfono, telefono, celular, …): a phone
// number stored as a JSON number is found by its key alone, no text pattern sees it.
const PERSONAL_KEY =
  /(e?mail|phone|mobil|telef|телефон|^tel(no|nr|number)?$|handy|^fax|faxnumber|celular|portable|whatsapp|rufnummer|clientname|contactname|fullname|firstname|lastname|personname)/;

/** A key in the compared form: lowercase letters and digits only, without accents. */
export const normalizeKey = (key: string): string =>
  key
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

/** True for keys that hold personal data whatever the configuration (email, phone, a person's name). */
export function isPersonalKey(key: string): boolean {
  return PERSONAL_KEY.test(normalizeKey(key));
}

// Digit runs that are not phone numbers: dates, times, dotted IPv4 addresses.
const NOT_A_PHONE = [/^\d{4}-\d{2}-\d{2}$/, /^\d{1,3}(\.\d{1,3}){3}$/, /^\d{4}\/\d{2}\/\d{2}$/];

const MAX_SHAPED = 1000;

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

/** The digits of `text`, or undefined as soon as there are more than `max`. */
function digitsOf(text: string, max: number): string | undefined {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (digits.length === max) return undefined;
    digits += text[i];
  }
  return digits;
}

/** Every email address and phone-number-like digit run inside free text masked. */
export function maskPatterns(text: string): string {
  const emailsMasked = replaceSpans(text, findEmails(text), maskEmail);
  return replaceSpans(emailsMasked, findPhoneRuns(emailsMasked), (m) => {
    const digits = digitsOf(m, 15);
    if (digits === undefined || digits.length < 7 || NOT_A_PHONE.some((re) => re.test(m.trim()))) return m;
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
    // Nobody's name or number is this long; showing its shape would only cost time.
    if (value.length > MAX_SHAPED) return '***';
    if (value.includes('@')) return maskEmail(value.trim());
    const digits = value.replace(/\D/g, '');
    if (digits.length >= 6 && /^[\d\s+()./-]+$/.test(value)) return maskPhone(digits);
    return value.split(/\s+/).filter(Boolean).map(star).join(' ');
  }
  if (Array.isArray(value)) return value.map(maskPersonalValue);
  return '***';
}
