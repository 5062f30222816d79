import { isEmailChar, isPhoneChar } from './scan';

/** How far back from the limit a clean cut is looked for before the whole run is dropped. */
const SEARCH_BACK = 1000;
/** An address is at most 64 + 1 + 255 characters, so an `@` farther away cannot belong to one across the cut. */
const EMAIL_REACH = 321;

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Text cut for display with the marker that says so. The figures are grouped with commas, so
 * masking the text again never reads them as a phone number.
 */
export function clipped(head: string, keptChars: number, totalChars: number): string {
  return `${head}… [truncated: showing ${grouped(keptChars)} of ${grouped(totalChars)} characters]`;
}

/**
 * Whether cutting before `p` leaves every email address and phone number whole on one side: a
 * match that spans the cut needs characters of its kind on both sides of it.
 */
function cleanCut(text: string, p: number): boolean {
  if (p <= 0) return true;
  if (isPhoneChar(text, p - 1) && isPhoneChar(text, p)) return false;
  if (!isEmailChar(text, p - 1) || !isEmailChar(text, p)) return true;
  return !text.slice(Math.max(0, p - EMAIL_REACH), p + EMAIL_REACH).includes('@');
}

/** Where to cut `text` so that at most `limit` characters stay and no address or number is split. */
function cutPoint(text: string, limit: number): number {
  let p = limit;
  while (p > 0 && p > limit - SEARCH_BACK && !cleanCut(text, p)) p--;
  // A long run of digits and separators (or of address characters around an `@`): drop all of it.
  while (p > 0 && !cleanCut(text, p)) p--;
  return p;
}

/**
 * `show` applied to at most `limit` characters of `text`: the work is bounded whatever the
 * length, and the cut never splits an address or a phone number, which would show part of it
 * unmasked. Longer text ends with the `… [truncated: …]` marker.
 */
export function clipForDisplay(text: string, limit: number, show: (t: string) => string): string {
  if (text.length <= limit) return show(text);
  const cut = cutPoint(text, limit);
  return clipped(show(text.slice(0, cut)), cut, text.length);
}
