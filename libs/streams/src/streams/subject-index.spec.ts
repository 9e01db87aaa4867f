import { subjectsOverlap } from './stream-config.js';
import { SubjectIndex } from './subject-index.js';

const PATTERNS = [
  'a', 'a.b', 'a.b.c', 'a.*', 'a.*.c', 'a.>', '*', '*.b', '*.>', '>', 'b.c', 'a.b.>', 'x.y.z', '*.*.*', 'a.c',
];

describe('SubjectIndex', () => {
  it.each(PATTERNS)('finds exactly the stored patterns that overlap %s (checked against subjectsOverlap)', (query) => {
    const index = new SubjectIndex<number>();
    PATTERNS.forEach((p, i) => index.add(p, i));

    const found = index.overlapping(query).map((e) => e.subject).sort();

    const expected = PATTERNS.filter((p) => subjectsOverlap(p, query)).sort();
    expect(found).toEqual(expected);
  });

  it('returns the value stored with each pattern', () => {
    const index = new SubjectIndex<string>();
    index.add('orders.>', 'ORDERS');
    index.add('payments.*', 'PAYMENTS');

    expect(index.overlapping('orders.eu.new')).toEqual([{ subject: 'orders.>', value: 'ORDERS' }]);
    expect(index.overlapping('payments')).toEqual([]);
  });
});
