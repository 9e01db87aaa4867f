import { subjectCovers } from './subjects.js';

/**
 * Set arithmetic on subject patterns (valid subjects, wildcards allowed), for the rules that ask
 * which subjects a consumer follows, stops following, or shares with another consumer.
 */

/**
 * The subjects that match both patterns, as one pattern, or undefined when no subject matches
 * both. Two patterns always meet in a single pattern: token by token the more specific one wins,
 * and a `>` takes the other side's remaining tokens.
 * @example
 * subjectIntersection('x.>', 'x.a.*');  // 'x.a.*'
 * subjectIntersection('a.*.>', '*.b.c'); // 'a.b.c'
 * subjectIntersection('x.a', 'x.b');    // undefined
 */
export function subjectIntersection(a: string, b: string): string | undefined {
  const left = a.split('.');
  const right = b.split('.');
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const l = left[i];
    const r = right[i];
    // '>' stands for one or more tokens: whatever the other side still has, if it has any.
    if (l === '>') return r === undefined ? undefined : [...out, ...right.slice(i)].join('.');
    if (r === '>') return l === undefined ? undefined : [...out, ...left.slice(i)].join('.');
    if (l === undefined || r === undefined) return l === r ? out.join('.') : undefined;
    if (l === '*') out.push(r);
    else if (r === '*' || l === r) out.push(l);
    else return undefined;
  }
}

/**
 * Whether every subject that matches `specific` matches at least one of `generals` (their union
 * covers it): `['x.*', 'x.*.>']` covers `'x.>'` although neither does alone.
 *
 * A pattern without `>` is covered by a union only when one of its members covers it (a subject
 * with a token no member names must match a member with a wildcard there). A trailing `>` is split
 * into "one more token" and "two or more", down to one token past the longest member, beyond
 * which only a member ending in `>` can match.
 * @example
 * subjectsCover(['x.a.>', 'x.b.>'], 'x.a.c');   // true
 * subjectsCover(['x.*', 'x.*.>'], 'x.>');       // true
 * subjectsCover(['x.a.>', 'x.b.>'], 'x.>');     // false: 'x.c'
 */
export function subjectsCover(generals: readonly string[], specific: string): boolean {
  if (generals.some((general) => subjectCovers(general, specific))) return true;
  const tokens = specific.split('.');
  if (tokens[tokens.length - 1] !== '>') return false;
  let longest = 0;
  for (const general of generals) longest = Math.max(longest, general.split('.').length);
  if (tokens.length > longest) return false;
  const prefix = tokens.slice(0, -1);
  return subjectsCover(generals, [...prefix, '*'].join('.')) && subjectsCover(generals, [...prefix, '*', '>'].join('.'));
}

/**
 * The part of `patterns` that lies within `scope`, as the non-empty intersections of each pattern
 * with each scope subject (duplicates left out).
 * @example
 * subjectsWithin(['x.>'], ['x.a.>', 'x.b.>']); // ['x.a.>', 'x.b.>']
 */
export function subjectsWithin(patterns: readonly string[], scope: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const pattern of patterns) {
    for (const subject of scope) {
      const piece = subjectIntersection(pattern, subject);
      if (piece !== undefined) pieces.add(piece);
    }
  }
  return [...pieces];
}
