import { linkIds, numberValue, selectValue, textValue, urlValue } from '@bridge/aitable';

describe('cell value readers', () => {
  it('when a URL comes from the API as an object or from an automation as a string, then both read as the link', () => {
    expect(urlValue({ text: 'https://a.example/p', title: 'P', favicon: '' })).toBe('https://a.example/p');
    expect(urlValue(' https://a.example/p ')).toBe('https://a.example/p');
    expect(urlValue(null)).toBeUndefined();
  });

  it('when a select comes as a name or as {id,name,color}, then both read as the option name', () => {
    expect(selectValue('Won')).toBe('Won');
    expect(selectValue({ id: 'opt1', name: 'Won', color: 3 })).toBe('Won');
    expect(selectValue('')).toBeUndefined();
  });

  it('when a link comes as recordIds or as [{recordId,title}], then both read as the recordIds', () => {
    expect(linkIds(['rec1', 'rec2'])).toEqual(['rec1', 'rec2']);
    expect(
      linkIds([
        { recordId: 'rec1', title: 'Acme' },
        { recordId: 'rec1', title: 'Acme' },
      ]),
    ).toEqual(['rec1']);
    expect(linkIds('rec9')).toEqual(['rec9']);
    expect(linkIds(null)).toEqual([]);
  });

  it('when text is blank, a number or text segments, then it reads as trimmed text or undefined', () => {
    expect(textValue('  Acme ')).toBe('Acme');
    expect(textValue('   ')).toBeUndefined();
    expect(textValue(42)).toBe('42');
    expect(textValue([{ text: 'a' }, { text: 'b' }])).toBe('a, b');
  });

  it('when a number arrives as automation text, then it is read as a number; junk is undefined', () => {
    expect(numberValue(12)).toBe(12);
    expect(numberValue('1,250')).toBe(1250);
    expect(numberValue('n/a')).toBeUndefined();
  });
});
