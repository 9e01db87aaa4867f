import type { DataLossEstimate, DataLossField } from '../errors/stream-data-loss.error.js';
import type { ServerStreamConfig, ServerStreamSource } from '../server/server-stream.js';
import { sameValue } from '../declaration/field-table.js';
import { subjectCovers } from '../declaration/subjects.js';
import { subjectsWithin } from '../declaration/subject-coverage.js';
import { sourceInputs, storedSubject, UNKNOWN_PREFIX, type Arrival } from '../declaration/subject-mapping.js';

/** Something that receives a stream's stored messages by subject: a consumer, or the stream's `republish`. */
export interface Follower {
  /** The consumer's name, or `republish`. */
  name: string;
  /** Its filters before the change (none: it did not exist). */
  before: readonly string[];
  /**
   * Its filters after the change, each list one moment: a declared consumer keeps its current
   * filters until it is updated right after the stream, then has its declared ones.
   */
  after: ReadonlyArray<readonly string[]>;
}

/** Concrete subjects tried per change at most; beyond, the change cannot be checked and counts as starving. */
const MAX_SAMPLES = 50_000;

/**
 * Whether the change alters how arriving subjects are stored: the stream's `subject_transform`, or
 * the filter or transforms of a source it keeps.
 */
export function mappingChanges(
  current: Partial<ServerStreamConfig>,
  desired: Partial<ServerStreamConfig>,
): 'subject_transform' | 'sources' | undefined {
  if (!sameValue(transformOf(current), transformOf(desired))) return 'subject_transform';
  for (const [before, after] of keptSources(current, desired)) {
    if (before.filter_subject !== after.filter_subject || !sameValue(before.subject_transforms ?? [], after.subject_transforms ?? [])) {
      return 'sources';
    }
  }
  return undefined;
}

/**
 * The followers a new subject mapping would stop receiving messages they receive today: a message
 * that arrives on a subject the stream takes both before and after the change (published, or from
 * a source it keeps) was stored under a subject the follower matched and would be stored under
 * one it does not match. Checked on concrete subjects built from every literal token the
 * patterns name plus one token none names (which stands for all the others), up to one token
 * longer than the longest pattern: a subject the rules treat differently always has such a
 * representative. A mapping the library cannot evaluate (transform functions other than wildcard
 * references) counts as starving unless it is the same before and after. Nothing is taken to be
 * published on the subjects the stream's transform maps to (with `m.>` -> `m.v2.>` a message
 * published on `m.v2.x` would be mapped again, to `m.v2.v2.x`; a consumer following `m.v2.>`
 * ahead of the transform is following its result, not such publishes). Only the followers that
 * received something before are named, each with one example. The loss is counted as 0 messages
 * now: every new message on those subjects is lost to the follower (and, on an interest stream
 * where nothing else follows it, deleted at once).
 */
export function starvedFollowers(
  current: Partial<ServerStreamConfig>,
  desired: Partial<ServerStreamConfig>,
  followers: readonly Follower[],
  retention: string,
): DataLossEstimate | undefined {
  const field = mappingChanges(current, desired);
  if (!field) return undefined;
  const arrivals: Array<{ inputs: string[]; before: Arrival; after: Arrival }> = [
    { inputs: subjectsWithin(current.subjects ?? [], desired.subjects ?? []), before: {}, after: {} },
    ...keptSources(current, desired).map(([before, after]) => ({
      inputs: subjectsWithin(sourceInputs(before), sourceInputs(after)),
      before: { source: before },
      after: { source: after },
    })),
  ];
  const patterns = [
    ...arrivals.flatMap((a) => a.inputs),
    ...followers.flatMap((f) => [...f.before, ...f.after.flat()]),
    ...transformPatterns(current),
    ...transformPatterns(desired),
  ];
  const mapped = [current.subject_transform, desired.subject_transform].flatMap((t) => (t?.dest ? [destinationPattern(t.dest)] : []));
  const examples = new Map<string, string>();
  let tried = 0;
  for (const { inputs, before, after } of arrivals) {
    for (const input of inputs) {
      for (const subject of samples(input, patterns)) {
        if (++tried > MAX_SAMPLES) return estimate(field, current, desired, followers, examples, retention, true);
        if (before.source === undefined && mapped.some((pattern) => subjectCovers(pattern, subject))) continue;
        const then = storedSubject(current, subject, before);
        const now = storedSubject(desired, subject, after);
        if (then === null || now === null) continue;
        for (const follower of followers) {
          if (examples.has(follower.name) || !matches(follower.before, then)) continue;
          const unknown = (then.startsWith(UNKNOWN_PREFIX) || now.startsWith(UNKNOWN_PREFIX)) && then !== now;
          if (unknown || follower.after.some((filters) => !matches(filters, now))) {
            examples.set(
              follower.name,
              unknown
                ? `a message on ${subject}: the library cannot work out where the new mapping stores it`
                : `a message on ${subject} was stored as ${then} and would be stored as ${now}`,
            );
          }
        }
      }
    }
  }
  return estimate(field, current, desired, followers, examples, retention, false);
}

function estimate(
  field: 'subject_transform' | 'sources',
  current: Partial<ServerStreamConfig>,
  desired: Partial<ServerStreamConfig>,
  followers: readonly Follower[],
  examples: ReadonlyMap<string, string>,
  retention: string,
  gaveUp: boolean,
): DataLossEstimate | undefined {
  const starved = gaveUp ? followers.filter((f) => f.before.length > 0) : followers.filter((f) => examples.has(f.name));
  if (starved.length === 0) return undefined;
  const deleted = retention === 'interest' ? ' (on an interest stream the server deletes them at once if nothing else follows them)' : '';
  const fields: DataLossField[] = starved.map((follower) => ({
    field,
    current: current[field],
    desired: desired[field],
    held: `stops ${follower.name === 'republish' ? 'republish' : `consumer "${follower.name}"`} (${follower.before.join(', ')}) receiving new messages${deleted}: ${examples.get(follower.name) ?? 'too many subjects to check'}`,
    messages: 0,
    bytes: 0,
    kind: 'starved',
    consumer: follower.name,
  }));
  return { messages: 0, bytes: 0, exact: false, fields };
}

/** Whether a concrete (or unknown) subject matches one of the filters. */
function matches(filters: readonly string[], subject: string): boolean {
  if (subject.startsWith(UNKNOWN_PREFIX)) return false;
  return filters.some((filter) => subjectCovers(filter, subject));
}

/**
 * Concrete subjects matching `input`: each `*` (and each token of a `>`, one to as many as one past
 * the longest pattern) taken from every literal token of `patterns` and one token none names.
 */
function* samples(input: string, patterns: readonly string[]): Generator<string> {
  const literals = new Set<string>();
  let longest = 0;
  for (const pattern of patterns) {
    const tokens = pattern.split('.');
    longest = Math.max(longest, tokens.length);
    for (const token of tokens) if (token !== '*' && token !== '>' && !token.includes('{{') && !token.startsWith('$')) literals.add(token);
  }
  let fresh = 'x';
  while (literals.has(fresh)) fresh += 'x';
  // The token nobody names first: examples then read as 'm.eu.x', not as a reused literal.
  const choices = [fresh, ...literals];
  const tokens = input.split('.');
  const grow = function* (prefix: string[], i: number): Generator<string> {
    if (i === tokens.length) {
      yield prefix.join('.');
      return;
    }
    const token = tokens[i];
    if (token === '>') {
      for (const choice of choices) {
        const next = [...prefix, choice];
        yield next.join('.');
        if (next.length <= longest) yield* grow(next, i);
      }
      return;
    }
    for (const choice of token === '*' ? choices : [token]) yield* grow([...prefix, choice], i + 1);
  };
  yield* grow([], 0);
}

/** The subjects a transform's `dest` can produce, as a pattern: each reference or function a `*`. */
function destinationPattern(dest: string): string {
  return dest
    .split('.')
    .map((token) => (token === '>' || (!token.includes('{{') && !token.startsWith('$')) ? token : '*'))
    .join('.');
}

/** Every pattern the transforms of a config name (their `src` and `dest`). */
function transformPatterns(config: Partial<ServerStreamConfig>): string[] {
  const transforms = [config.subject_transform, ...(config.sources ?? []).flatMap((s) => s.subject_transforms ?? [])];
  return transforms.flatMap((t) => (t ? [t.src || '>', t.dest].filter((p): p is string => !!p) : []));
}

function transformOf(config: Partial<ServerStreamConfig>): unknown {
  const t = config.subject_transform;
  return t && (t.src || t.dest) ? { src: t.src || '', dest: t.dest } : undefined;
}

/** The sources present before and after, paired by name (and external API). */
function keptSources(
  current: Partial<ServerStreamConfig>,
  desired: Partial<ServerStreamConfig>,
): Array<[ServerStreamSource, ServerStreamSource]> {
  const key = (s: ServerStreamSource) => `${s.name}\u0000${s.external?.api ?? ''}`;
  const before = new Map((current.sources ?? []).map((s) => [key(s), s]));
  return (desired.sources ?? []).flatMap((s) => {
    const old = before.get(key(s));
    return old ? [[old, s] as [ServerStreamSource, ServerStreamSource]] : [];
  });
}
