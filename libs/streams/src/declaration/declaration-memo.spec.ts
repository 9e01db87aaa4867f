import { copyDeclaration, DeclarationMemo, declarationOf } from './declaration-memo.js';

/** Remembers `value` for (name, subjects, fields) and returns the memo. */
function memoWith(name: string, subjects: unknown, fields: object, value = 'remembered', limit = 10): DeclarationMemo<string> {
  const memo = new DeclarationMemo<string>(limit);
  const copy = copyDeclaration(subjects, fields);
  if (!copy) throw new Error('not copyable');
  memo.set(name, copy, value);
  return memo;
}

describe('DeclarationMemo', () => {
  it('finds an equal declaration given as new objects, whatever its key order', () => {
    // Arrange
    const memo = memoWith('orders', ['orders.>'], { max_age: '7d', placement: { tags: ['eu', 'ssd'] }, storage: 'file' });

    // Act
    const found = memo.get('orders', ['orders.>'], { storage: 'file', placement: { tags: ['eu', 'ssd'] }, max_age: '7d' });

    // Assert
    expect(found).toBe('remembered');
  });

  it('ignores the name and subjects keys of the fields, which are given apart', () => {
    // Arrange
    const memo = memoWith('orders', ['orders.>'], { name: 'orders', subjects: ['orders.>'], max_msgs: 10 });

    // Act
    const found = memo.get('orders', ['orders.>'], { max_msgs: 10 });

    // Assert
    expect(found).toBe('remembered');
  });

  it.each([
    ['another subject', ['orders.*'], { max_age: '7d', placement: { tags: ['eu'] } }],
    ['subjects in another order', ['b', 'a'], { max_age: '7d', placement: { tags: ['eu'] } }],
    ['another value', ['a', 'b'], { max_age: '1d', placement: { tags: ['eu'] } }],
    ['a nested change', ['a', 'b'], { max_age: '7d', placement: { tags: ['us'] } }],
    ['an extra key', ['a', 'b'], { max_age: '7d', placement: { tags: ['eu'] }, max_msgs: 5 }],
    ['a missing key', ['a', 'b'], { placement: { tags: ['eu'] } }],
    ['a key set to undefined', ['a', 'b'], { max_age: '7d', placement: { tags: ['eu'] }, mode: undefined }],
    ['a number for a string', ['a', 'b'], { max_age: 7, placement: { tags: ['eu'] } }],
    ['an array for an object', ['a', 'b'], { max_age: '7d', placement: [['eu']] }],
  ])('misses a declaration with %s', (_case, subjects, fields) => {
    // Arrange
    const memo = memoWith('orders', ['a', 'b'], { max_age: '7d', placement: { tags: ['eu'] } });

    // Act
    const found = memo.get('orders', subjects, fields);

    // Assert
    expect(found).toBeUndefined();
  });

  it('keeps its own copy: a declaration changed in place after it was remembered is a new one', () => {
    // Arrange
    const subjects = ['orders.>'];
    const fields = { placement: { tags: ['eu'] } };
    const memo = memoWith('orders', subjects, fields);

    // Act
    subjects.push('orders2.>');
    const afterSubjects = memo.get('orders', subjects, fields);
    subjects.pop();
    fields.placement.tags[0] = 'us';
    const afterTags = memo.get('orders', subjects, fields);

    // Assert
    expect(afterSubjects).toBeUndefined();
    expect(afterTags).toBeUndefined();
  });

  it('keeps one declaration per name, and starts over past its limit', () => {
    // Arrange
    const memo = memoWith('a', ['a'], {}, 'first', 2);
    const copy = (subjects: string[]) => copyDeclaration(subjects, {})!;

    // Act
    memo.set('a', copy(['a2']), 'replaced');
    const replacedOld = memo.get('a', ['a'], {});
    const replacedNew = memo.get('a', ['a2'], {});
    memo.set('b', copy(['b']), 'b');
    const sizeAtLimit = memo.size;
    memo.set('c', copy(['c']), 'c');

    // Assert
    expect([replacedOld, replacedNew, sizeAtLimit]).toEqual([undefined, 'replaced', 2]);
    expect(memo.size).toBe(1);
    expect(memo.get('c', ['c'], {})).toBe('c');
  });
});

describe('copyDeclaration', () => {
  it('copies plain data without prototypes, and declarationOf rebuilds the declaration', () => {
    // Arrange
    const fields = JSON.parse('{"name":"x","max_age":"1h","__proto__":{"polluted":true},"sources":[{"name":"a"}]}');

    // Act
    const copy = copyDeclaration(['orders.>'], fields);
    const declaration = copy && declarationOf('orders', copy);

    // Assert
    expect(declaration?.sources).toEqual(fields.sources);
    expect(declaration?.sources).not.toBe(fields.sources);
    expect((declaration?.sources as object[])[0]).not.toBe(fields.sources[0]);
    expect(Object.keys(declaration ?? {})).toEqual(['max_age', '__proto__', 'sources', 'name', 'subjects']);
    expect((declaration as { polluted?: unknown }).polluted).toBeUndefined();
    expect(declaration?.subjects).toEqual(['orders.>']);
  });

  it.each([
    ['a Date', { first: new Date(0) }],
    ['a Map', { metadata: new Map() }],
    ['a function', { description: () => 'x' }],
    [
      'a class instance',
      {
        placement: new (class Placement {
          cluster = 'c';
        })(),
      },
    ],
  ])('refuses %s (such a declaration is normalised every time)', (_case, fields) => {
    expect(copyDeclaration(['a'], fields)).toBeUndefined();
  });

  it('refuses data nested deeper than any declaration (and so a cycle)', () => {
    // Arrange
    const cycle: Record<string, unknown> = {};
    cycle.next = cycle;

    // Act / Assert
    expect(copyDeclaration(['a'], { metadata: cycle })).toBeUndefined();
  });
});
