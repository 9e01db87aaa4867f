import { subjectIntersection, subjectsCover, subjectsWithin } from './subject-coverage.js';
import { subjectCovers } from './subjects.js';

/** Whether a concrete subject matches a pattern, the slow and obvious way. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Every concrete subject of 1 to 4 tokens over a, b, c. */
const CONCRETE: string[] = (() => {
  const out: string[] = [];
  const grow = (prefix: string[]) => {
    if (prefix.length > 0) out.push(prefix.join('.'));
    if (prefix.length < 4) for (const t of ['a', 'b', 'c']) grow([...prefix, t]);
  };
  grow([]);
  return out;
})();

/** Patterns of 1 to 3 tokens over a, b, '*', with or without a trailing '>'. */
const PATTERNS: string[] = (() => {
  const out: string[] = [];
  const grow = (prefix: string[]) => {
    if (prefix.length > 0) out.push(prefix.join('.'), [...prefix, '>'].join('.'));
    if (prefix.length < 3) for (const t of ['a', 'b', '*']) grow([...prefix, t]);
  };
  grow([]);
  out.push('>');
  return out;
})();

describe('subjectIntersection', () => {
  it('gives exactly the subjects matching both patterns, for every pair of small patterns', () => {
    for (const a of PATTERNS) {
      for (const b of PATTERNS) {
        const meet = subjectIntersection(a, b);
        const both = CONCRETE.filter((s) => matches(a, s) && matches(b, s));

        // 4-token subjects stand for every longer one: the patterns have at most 4 tokens.
        expect({ a, b, subjects: meet === undefined ? [] : CONCRETE.filter((s) => matches(meet, s)) }).toEqual({ a, b, subjects: both });
      }
    }
  });

  it('meets wildcards with literals and keeps the longer tail of a >', () => {
    expect(subjectIntersection('x.>', 'x.a.*')).toBe('x.a.*');
    expect(subjectIntersection('a.*.>', '*.b.c')).toBe('a.b.c');
    expect(subjectIntersection('x.>', 'x')).toBeUndefined();
    expect(subjectIntersection('x.a', 'x.b')).toBeUndefined();
  });
});

describe('subjectsCover', () => {
  it('agrees with the concrete subjects for unions of one and two small patterns', () => {
    for (const specific of PATTERNS) {
      for (const g1 of PATTERNS) {
        for (const g2 of ['a.*', 'b.>', '*.a.>', 'a.b']) {
          const generals = [g1, g2];
          const byHand = CONCRETE.filter((s) => matches(specific, s)).every((s) => generals.some((g) => matches(g, s)));

          expect({ specific, generals, covered: subjectsCover(generals, specific) }).toEqual({ specific, generals, covered: byHand });
        }
      }
    }
  });

  it('sees a union covering what no member covers alone', () => {
    expect(subjectsCover(['x.*', 'x.*.>'], 'x.>')).toBe(true);
    expect(subjectCovers('x.*', 'x.>') || subjectCovers('x.*.>', 'x.>')).toBe(false);
    expect(subjectsCover(['x.a.>', 'x.b.>'], 'x.>')).toBe(false);
    expect(subjectsCover([], 'x')).toBe(false);
  });
});

describe('subjectsWithin', () => {
  it("restricts filters to the subjects a stream can hold: 'x.>' within x.a.> and x.b.> is those two", () => {
    expect(subjectsWithin(['x.>'], ['x.a.>', 'x.b.>'])).toEqual(['x.a.>', 'x.b.>']);
    expect(subjectsWithin(['x.a', 'y.>'], ['x.*'])).toEqual(['x.a']);
    expect(subjectsWithin(['x.>', 'x.a'], ['x.a'])).toEqual(['x.a']);
  });
});
