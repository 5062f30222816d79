import { findTooDeep, pathAt } from '../src/json-depth';

describe('JSON depth', () => {
  it('when brackets and escaped quotes are inside strings, then they do not count', () => {
    const text = JSON.stringify({ a: 'x\\', b: '\\"[[[{{{', c: [['\\\\"{']] });
    expect(findTooDeep(text, 3)).toBe(-1);
    const at = findTooDeep(text, 2);
    expect(text[at]).toBe('[');
    expect(pathAt(text, at)).toEqual(['c', '0']);
  });

  it('when a million levels are nested, then the scan answers without overflowing the stack and names the path', () => {
    const text = `{"record":{"fields":{"Notes":[1,${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]}}}`;
    const at = findTooDeep(text, 64);
    expect(at).toBe(text.indexOf('[[') + 60);
    expect(pathAt(text, at).slice(0, 5)).toEqual(['record', 'fields', 'Notes', '1', '0']);
    expect(pathAt(text, at)).toHaveLength(64);
  });

  it('when the nesting is exactly the limit, then it passes', () => {
    expect(findTooDeep(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).toBe(-1);
    expect(findTooDeep(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toBe(64);
  });
});
