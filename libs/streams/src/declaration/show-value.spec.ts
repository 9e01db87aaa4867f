import { isRecord, show } from './show-value.js';

describe('show', () => {
  it.each<[unknown, string]>([
    ['a', "'a'"],
    [5, '5'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['a', 1, { b: 2 }], "['a', 1, an object]"],
    [{ a: 1 }, 'an object'],
  ])('shows %p as %p', (value, expected) => {
    // Act + Assert
    expect(show(value)).toBe(expected);
  });
});

describe('isRecord', () => {
  it('accepts objects only, not arrays or null', () => {
    // Act + Assert
    expect([isRecord({}), isRecord(Object.create(null)), isRecord([]), isRecord(null), isRecord('x')]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
