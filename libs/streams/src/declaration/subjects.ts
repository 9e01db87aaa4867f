import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { show } from '../checks/values.js';
import { SubjectIndex } from './subject-index.js';

/** Two declarations in one batch that cannot both exist: same name, or overlapping subjects. */
export interface SubjectOverlap {
  /** `'subjects'`: the two subjects overlap. `'name'`: the same name is declared twice (subjects are `''`). */
  kind: 'subjects' | 'name';
  /** The earlier declaration in the batch. */
  stream: string;
  /** The later declaration in the batch. */
  otherStream: string;
  /** The earlier declaration's subject. */
  subject: string;
  /** The later declaration's subject that overlaps {@link subject}. */
  otherSubject: string;
}

/** What {@link findSubjectOverlaps} reads of each declaration. */
export interface NamedSubjects {
  /** The stream name. */
  name: string;
  /** Its (valid) config, of which only the subjects are read. */
  config: { subjects: readonly string[] };
}

const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
const STREAM_NAME_FORBIDDEN = /[.*>/\\]/;
const DOT = 46;
const STAR = 42;
const GREATER = 62;
/** Up to this many subjects, a declaration's own subjects are compared pair by pair; above, through an index. */
const PAIRWISE_LIMIT = 8;

/** Why `name` is not a valid stream name (the server's rules), or `undefined` when it is. */
export function streamNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string, got ${show(name)}`;
  if (name === '') return 'must not be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) return `is ${bytes} bytes long; the maximum is 255`;
  if (WHITESPACE_OR_CONTROL.test(name)) return `${show(name)} contains whitespace or a control character`;
  const bad = STREAM_NAME_FORBIDDEN.exec(name);
  if (bad) return `${show(name)} contains ${show(bad[0])}; stream names cannot contain '.', '*', '>', '/' or '\\'`;
  return undefined;
}

/** Why `subject` is not a valid subject (wildcards allowed), or `undefined` when it is. */
export function subjectProblem(subject: unknown): string | undefined {
  if (typeof subject !== 'string') return `must be strings, got ${show(subject)}`;
  if (subject === '') return 'must not contain an empty subject';
  if (WHITESPACE_OR_CONTROL.test(subject)) return `${show(subject)} contains whitespace or a control character`;
  return tokenProblem(subject, scanTokens(subject));
}

const EMPTY_TOKEN = 1;
const WILDCARD_IN_TOKEN = 2;
const GREATER_NOT_LAST = 4;
const HAS_WILDCARD = 8;

/** One pass over a subject's tokens: which token problems it has, and whether it has a wildcard. */
function scanTokens(subject: string): number {
  let flags = 0;
  let start = 0;
  let wildcard = false;
  for (let i = 0; i <= subject.length; i++) {
    const code = i === subject.length ? DOT : subject.charCodeAt(i);
    if (code === STAR || code === GREATER) wildcard = true;
    if (code !== DOT) continue;
    const length = i - start;
    if (length === 0) flags |= EMPTY_TOKEN;
    else if (length > 1 && wildcard) flags |= WILDCARD_IN_TOKEN;
    else if (length === 1 && subject.charCodeAt(start) === GREATER && i !== subject.length) flags |= GREATER_NOT_LAST;
    if (wildcard) flags |= HAS_WILDCARD;
    start = i + 1;
    wildcard = false;
  }
  return flags;
}

/** The message for the token problems `scanTokens` found, always in this order, or undefined. */
function tokenProblem(subject: string, flags: number): string | undefined {
  if (flags & EMPTY_TOKEN) return `${show(subject)} has an empty token (a leading, trailing or doubled '.')`;
  if (flags & WILDCARD_IN_TOKEN)
    return `${show(subject)} uses '*' or '>' inside a token; wildcards must be whole tokens such as 'orders.*'`;
  if (flags & GREATER_NOT_LAST) return `${show(subject)} has '>' before its last token; '>' may only end a subject`;
  return undefined;
}

/**
 * Checks a stream name the way the server does: a non-empty string of at most 255 bytes without
 * whitespace, control characters, `.`, `*`, `>`, `/` or `\`.
 * @throws InvalidStreamConfigError on field `name`
 */
export function validateStreamName(name: unknown): asserts name is string {
  const problem = streamNameProblem(name);
  if (problem) throw new InvalidStreamConfigError(String(name), 'name', problem);
}

/**
 * Checks one subject a stream captures: non-empty, no whitespace, `.`-separated non-empty tokens,
 * `*` and `>` only as whole tokens and `>` only last.
 * @throws InvalidStreamConfigError on field `subjects`
 */
export function validateSubject(subject: unknown, stream: string): void {
  const problem = subjectProblem(subject);
  if (problem) throw new InvalidStreamConfigError(stream, 'subjects', problem);
}

/**
 * Checks the subjects of one declaration: an array of valid subjects, none listed twice, no two
 * overlapping. Many subjects are checked through an index (60,000 take milliseconds, not minutes).
 * @returns a sorted copy
 * @throws InvalidStreamConfigError on field `subjects`, naming the first problem found
 */
export function checkSubjects(subjects: unknown, stream: string): string[] {
  const fail = (reason: string): never => {
    throw new InvalidStreamConfigError(stream, 'subjects', reason);
  };
  if (!Array.isArray(subjects)) return fail(`must be an array of subjects, got ${show(subjects)}`);
  const list: string[] = subjects;
  const small = list.length <= PAIRWISE_LIMIT;
  // Bit i: subject i has a wildcard (kept for a small list only).
  let wildcards = 0;
  for (let i = 0; i < list.length; i++) {
    const subject = list[i];
    if (typeof subject !== 'string' || subject === '' || WHITESPACE_OR_CONTROL.test(subject)) return fail(subjectProblem(subject) ?? '');
    const flags = scanTokens(subject);
    if (flags !== 0 && flags !== HAS_WILDCARD) fail(tokenProblem(subject, flags) ?? '');
    if (small && flags === HAS_WILDCARD) wildcards |= 1 << i;
  }
  const pair = small ? firstOverlapPairwise(list, wildcards) : firstOverlapIndexed(list);
  if (pair) {
    const [subject, other] = pair;
    fail(subject === other ? `lists ${show(subject)} twice` : `${show(subject)} and ${show(other)} overlap; a stream's subjects must not`);
  }
  const sorted = list.slice();
  for (let i = 1; i < sorted.length; i++) if (sorted[i - 1] > sorted[i]) return sorted.sort();
  return sorted;
}

function firstOverlapPairwise(list: readonly string[], wildcards: number): [string, string] | undefined {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      // Two different subjects without wildcards never overlap.
      const overlap = (wildcards & ((1 << i) | (1 << j))) !== 0 ? patternsOverlap(list[i], list[j]) : list[i] === list[j];
      if (overlap) return [list[i], list[j]];
    }
  }
  return undefined;
}

/**
 * Distinct literal subjects never overlap, so literals only need a duplicate check; each subject is
 * then matched against an index of the wildcard patterns alone (a literal walks one path of it).
 */
function firstOverlapIndexed(list: readonly string[]): [string, string] | undefined {
  const literals = new Set<string>();
  const wildcards = new SubjectIndex<number>();
  let wildcardCount = 0;
  for (let i = 0; i < list.length; i++) {
    const subject = list[i];
    if (hasWildcard(subject)) {
      wildcards.add(subject, i);
      wildcardCount++;
    } else if (literals.has(subject)) {
      return [subject, subject];
    } else {
      literals.add(subject);
    }
  }
  if (wildcardCount === 0) return undefined;
  for (let i = 0; i < list.length; i++) {
    const other = wildcards.findOverlapping(list[i], (entry) => entry.value !== i);
    if (other) return other.value < i ? [other.subject, list[i]] : [list[i], other.subject];
  }
  return undefined;
}

function hasWildcard(subject: string): boolean {
  return subject.includes('*') || subject.includes('>');
}

/**
 * Whether some concrete subject matches both subject patterns (wildcards `*` and `>` allowed).
 * @throws InvalidArgumentError naming `a` or `b` when it is not a valid subject
 * @example
 * subjectsOverlap('orders.*', 'orders.new'); // true
 * subjectsOverlap('orders.>', 'orders');     // false: '>' needs at least one more token
 * subjectsOverlap('a.>', '*.b');             // true: 'a.b'
 */
export function subjectsOverlap(a: string, b: string): boolean {
  for (const [argument, subject] of [['a', a] as const, ['b', b] as const]) {
    const problem = subjectProblem(subject);
    if (problem) throw new InvalidArgumentError('subjectsOverlap', argument, problem.replace('must be strings', 'must be a string'));
  }
  return patternsOverlap(a, b);
}

/** {@link subjectsOverlap} of two subjects already checked. Allocates nothing. */
export function patternsOverlap(a: string, b: string): boolean {
  // i and j: where the current token of a and b starts, -1 once past the last one.
  let i = 0;
  let j = 0;
  for (;;) {
    // '>' stands for one or more tokens, and anything left on the other side can supply them.
    if (i >= 0 && isToken(a, i, GREATER)) return j >= 0;
    if (j >= 0 && isToken(b, j, GREATER)) return i >= 0;
    if (i < 0 || j < 0) return i < 0 && j < 0;
    const aEnd = tokenEnd(a, i);
    const bEnd = tokenEnd(b, j);
    if (!isToken(a, i, STAR) && !isToken(b, j, STAR) && !sameToken(a, i, aEnd, b, j, bEnd)) return false;
    i = aEnd === a.length ? -1 : aEnd + 1;
    j = bEnd === b.length ? -1 : bEnd + 1;
  }
}

/**
 * Whether every subject that matches `specific` also matches `general` (both valid patterns).
 * @example
 * subjectCovers('orders.>', 'orders.*.new'); // true
 * subjectCovers('orders.*', 'orders.>');     // false: 'orders.a.b'
 */
export function subjectCovers(general: string, specific: string): boolean {
  const g = general.split('.');
  const s = specific.split('.');
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '>') return i < s.length;
    if (i >= s.length || s[i] === '>' || (g[i] !== '*' && g[i] !== s[i])) return false;
  }
  return g.length === s.length;
}

/** Whether the token of `s` starting at `at` is the single character `code`. */
function isToken(s: string, at: number, code: number): boolean {
  return s.charCodeAt(at) === code && (at + 1 === s.length || s.charCodeAt(at + 1) === DOT);
}

function tokenEnd(s: string, at: number): number {
  const dot = s.indexOf('.', at);
  return dot === -1 ? s.length : dot;
}

function sameToken(a: string, i: number, aEnd: number, b: string, j: number, bEnd: number): boolean {
  if (aEnd - i !== bEnd - j) return false;
  for (let k = 0; k < aEnd - i; k++) if (a.charCodeAt(i + k) !== b.charCodeAt(j + k)) return false;
  return true;
}

/**
 * Finds what would make a batch of streams fail on the server: two declarations with the same
 * name (`kind: 'name'`), or subjects of two different declarations that some subject matches
 * (`kind: 'subjects'`). Each pair is reported once, in batch order.
 */
export function findSubjectOverlaps(streams: readonly NamedSubjects[]): SubjectOverlap[] {
  const overlaps: SubjectOverlap[] = [];
  const seen = new Set<string>();
  const index = new SubjectIndex<string>();
  for (const later of streams) {
    if (seen.has(later.name)) {
      overlaps.push({ kind: 'name', stream: later.name, otherStream: later.name, subject: '', otherSubject: '' });
      continue;
    }
    seen.add(later.name);
    for (const otherSubject of later.config.subjects) {
      for (const earlier of index.overlapping(otherSubject)) {
        overlaps.push({ kind: 'subjects', stream: earlier.value, otherStream: later.name, subject: earlier.subject, otherSubject });
      }
    }
    for (const subject of later.config.subjects) index.add(subject, later.name);
  }
  return overlaps;
}
