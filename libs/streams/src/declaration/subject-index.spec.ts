import { SubjectIndex } from './subject-index.js';
import { subjectsOverlap } from './subjects.js';

const PATTERNS = ['a', 'a.b', 'a.b.c', 'a.*', 'a.*.c', 'a.>', '*', '*.b', '*.>', '>', 'b.c', 'a.b.>', 'x.y.z', '*.*.*', 'a.c'];

describe('SubjectIndex', () => {
  it.each(PATTERNS)('finds exactly the stored patterns that overlap %s (checked against subjectsOverlap)', (query) => {
    // Arrange
    const index = new SubjectIndex<number>();
    PATTERNS.forEach((p, i) => index.add(p, i));

    // Act
    const found = index
      .overlapping(query)
      .map((e) => e.subject)
      .sort();

    // Assert
    const expected = PATTERNS.filter((p) => subjectsOverlap(p, query)).sort();
    expect(found).toEqual(expected);
  });

  it('returns the value stored with each pattern', () => {
    // Arrange
    const index = new SubjectIndex<string>();
    index.add('orders.>', 'ORDERS');
    index.add('payments.*', 'PAYMENTS');

    // Act
    const orders = index.overlapping('orders.eu.new');
    const payments = index.overlapping('payments');

    // Assert
    expect(orders).toEqual([{ subject: 'orders.>', value: 'ORDERS' }]);
    expect(payments).toEqual([]);
  });

  it('keeps a pattern added twice, once per value', () => {
    // Arrange
    const index = new SubjectIndex<string>();
    index.add('a.*', 'first');
    index.add('a.*', 'second');

    // Act
    const found = index.overlapping('a.b');

    // Assert
    expect(found.map((e) => e.value)).toEqual(['first', 'second']);
  });

  describe('findOverlapping', () => {
    it('returns the first overlapping pattern that passes the filter, or undefined', () => {
      // Arrange
      const index = new SubjectIndex<number>();
      PATTERNS.forEach((p, i) => index.add(p, i));

      // Act
      const any = index.findOverlapping('a.b');
      const notTheSame = index.findOverlapping('a.b', (entry) => entry.subject !== 'a.b' && entry.subject !== '>');
      const none = index.findOverlapping('q.r.s.t', (entry) => entry.subject !== '>' && !entry.subject.startsWith('*'));

      // Assert
      expect(any && subjectsOverlap(any.subject, 'a.b')).toBe(true);
      expect(notTheSame && subjectsOverlap(notTheSame.subject, 'a.b')).toBe(true);
      expect(notTheSame?.subject).not.toBe('a.b');
      expect(none).toBeUndefined();
    });

    it('stops at the first match: a filter is asked no more than needed', () => {
      // Arrange
      const index = new SubjectIndex<number>();
      for (let i = 0; i < 1000; i++) index.add(`a.${i}`, i);
      const asked: number[] = [];

      // Act
      const found = index.findOverlapping('a.>', (entry) => {
        asked.push(entry.value);
        return entry.value === 3;
      });

      // Assert
      expect(found?.value).toBe(3);
      expect(asked).toEqual([0, 1, 2, 3]);
    });
  });
});
