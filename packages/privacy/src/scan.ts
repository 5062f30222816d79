/**
 * Linear scanners for email addresses and phone numbers in free text. Regular expressions with
 * overlapping quantifiers took time growing with the square of an unbroken run of characters
 * (50,000 characters: 2.8 s on the event loop); these look at each character a bounded number
 * of times, so a value of any length is masked in time proportional to its length.
 */

/** RFC 5321: a local part has at most 64 characters, a domain at most 255. */
const MAX_LOCAL = 64;
const MAX_DOMAIN = 255;

// Non-ASCII letters, digits and combining marks: internationalised addresses (`jöhn@exämple.de`).
const UNICODE_WORD = /[\p{L}\p{N}\p{M}]/u;
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isUnicodeWord = (text: string, i: number) => text.charCodeAt(i) > 127 && UNICODE_WORD.test(text[i]!);

function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  // . _ % + -
  return isAsciiLetter(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || isUnicodeWord(text, i);
}

function isDomainChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAsciiLetter(c) || isDigit(c) || c === 46 || c === 45 || isUnicodeWord(text, i);
}

const isLetter = (text: string, i: number) => i < text.length && (isAsciiLetter(text.charCodeAt(i)) || /\p{L}/u.test(text[i]!));

/** Characters an email address is made of, on either side of its `@`. */
export const isEmailChar = (text: string, i: number): boolean => i >= 0 && i < text.length && (isLocalChar(text, i) || text[i] === '@');

export interface Span {
  start: number;
  end: number;
}

/**
 * Every email address in `text`: from each `@`, at most 64 characters to the left and a domain
 * of at most 255 to the right that ends in a dot and two or more letters.
 */
export function findEmails(text: string): Span[] {
  const found: Span[] = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > floor && at - start < MAX_LOCAL && isLocalChar(text, start - 1)) start--;
    if (start === at) continue;
    let domainEnd = at + 1;
    while (domainEnd < text.length && domainEnd - at <= MAX_DOMAIN && isDomainChar(text, domainEnd)) domainEnd++;
    // The last dot followed by two letters ends the domain (its top level), as `…\.[A-Za-z]{2,}` did.
    let end = -1;
    for (let dot = domainEnd - 1; dot > at + 1 && end < 0; dot--) {
      if (text[dot] !== '.' || !isLetter(text, dot + 1) || !isLetter(text, dot + 2)) continue;
      end = dot + 1;
      while (end < domainEnd && isLetter(text, end)) end++;
    }
    if (end < 0) continue;
    found.push({ start, end });
    floor = end;
    at = end - 1;
  }
  return found;
}

// \s as the old pattern had it, and the separators phone numbers are written with.
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x2029 || c === 0xfeff;
const isPhoneBody = (c: number) => isDigit(c) || isSpace(c) || c === 40 || c === 41 || c === 46 || c === 47 || c === 45;
// `\w` or `-`: a digit run glued to a word, an id or a UUID segment is not a phone number.
const isGlue = (c: number) => isAsciiLetter(c) || isDigit(c) || c === 95 || c === 45;

/** Characters a phone number is made of (digits, `+`, spaces and `()./-`). */
export const isPhoneChar = (text: string, i: number): boolean => {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  return isPhoneBody(c) || c === 43;
};

/**
 * Every run that reads like a phone number: an optional `+` and `(`, a digit not glued to a word,
 * at least five more digits or separators, ending in a digit not glued to a word. Each run is
 * taken whole (the longest such span), as the pattern `(?<![\w-])\+?\(?\d[\d\s()./-]{5,}\d(?![\w-])` did.
 */
export function findPhoneRuns(text: string): Span[] {
  const found: Span[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    const c = text.charCodeAt(i);
    if (start > 0 && isGlue(text.charCodeAt(start - 1))) {
      i++;
      continue;
    }
    let j = start;
    if (text.charCodeAt(j) === 43) j++;
    if (text.charCodeAt(j) === 40) j++;
    if (j >= n || !isDigit(text.charCodeAt(j)) || (c !== 43 && c !== 40 && !isDigit(c))) {
      i++;
      continue;
    }
    const firstDigit = j;
    let runEnd = firstDigit + 1;
    while (runEnd < n && isPhoneBody(text.charCodeAt(runEnd))) runEnd++;
    let last = -1;
    for (let k = runEnd - 1; k >= firstDigit + 6 && last < 0; k--) {
      if (isDigit(text.charCodeAt(k)) && (k + 1 >= n || !isGlue(text.charCodeAt(k + 1)))) last = k;
    }
    // No digit in this run can end a number for any later start either: go past the run.
    if (last >= 0) found.push({ start, end: last + 1 });
    i = runEnd;
  }
  return found;
}

/** `text` with each span replaced by what `replace` makes of it. */
export function replaceSpans(text: string, spans: readonly Span[], replace: (s: string) => string): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let last = 0;
  for (const s of spans) {
    parts.push(text.slice(last, s.start), replace(text.slice(s.start, s.end)));
    last = s.end;
  }
  parts.push(text.slice(last));
  return parts.join('');
}
