/**
 * JSON.parse takes any nesting, but JSON.stringify and msgpack recurse and overflow the stack
 * on what it gives back, so a deep body must be refused before it becomes a job. Both scans
 * run over the text of a body JSON.parse has accepted, in a loop (no recursion, so the checker
 * cannot overflow either) and without allocating: they are on the hot path of every webhook.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const OPEN_ARRAY = 91;
const CLOSE_OBJECT = 125;
const CLOSE_ARRAY = 93;
const COMMA = 44;
const COLON = 58;

/** Index just past the string whose opening quote is at `i` (past the end of the text if it has none). */
function skipString(text: string, i: number): number {
  // indexOf finds the next quote far faster than a loop over every character of the string.
  for (let k = text.indexOf('"', i + 1); k >= 0; k = text.indexOf('"', k + 1)) {
    let b = k - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((k - 1 - b) % 2 === 0) return k + 1; // an even run of backslashes escapes only itself
  }
  return text.length + 1;
}

/**
 * The offset of the first bracket that opens level `maxDepth + 1`, or -1 when the JSON text
 * (already known valid) nests at most `maxDepth` arrays and objects. One pass, O(length).
 */
export function findTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i) - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return i;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return -1;
}

/**
 * The path (`record.fields.Notes.0.0`, as zod names paths) of the value that starts at
 * `offset` in a valid JSON text. Only for answering a rejection, so it may allocate.
 */
export function pathAt(text: string, offset: number): string[] {
  // One entry per open container: the key or index of the value being read in it.
  const path: string[] = [];
  const inArray: boolean[] = [];
  let lastString = '';
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      lastString = text.slice(i, end);
      i = end - 1;
    } else if (c === COLON) {
      // a key ends just before its colon: it names the value after it
      path[path.length - 1] = JSON.parse(lastString) as string;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      inArray.push(c === OPEN_ARRAY);
      path.push('0');
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      inArray.pop();
      path.pop();
    } else if (c === COMMA && inArray.at(-1) === true) {
      path[path.length - 1] = String(Number(path.at(-1)) + 1);
    }
  }
  return path;
}
