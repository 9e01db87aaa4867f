import type { ServerStreamConfig, ServerStreamSource, ServerSubjectTransform } from '../server/server-stream.js';

/**
 * How a stream turns the subject a message arrives on into the subject it stores it under
 * (measured on nats-server 2.10 and 2.15): a source's `subject_transforms` first (a message that
 * matches none of their `src` is not sourced; a `dest` left out keeps the subject), else its
 * `filter_subject`; then the stream's own `subject_transform`, on published and sourced messages
 * alike (a subject that does not match its `src` is stored as it is). `republish` and consumers
 * match the stored subject.
 */

/** A mapped subject the library cannot work out: a transform function other than a wildcard reference. */
export const UNKNOWN_PREFIX = '?';

/** Where a message arrives: published on the stream's own subjects, or read from one of its sources. */
export type Arrival = { source?: undefined } | { source: ServerStreamSource };

/**
 * The subject `transform` maps `subject` (a concrete subject) to, `null` when it does not match
 * the transform's `src`. `dest` tokens are literals, `*` (the next `*` of `src`), `>` (what `src`'s
 * `>` matched), `$n` or `{{wildcard(n)}}` (the n-th `*`). Any other function (partition, split, ...)
 * gives `?` followed by the transform and the subject: equal inputs still give equal answers.
 * @example
 * transformSubject({ src: 'm.>', dest: 'm.v2.>' }, 'm.eu.x'); // 'm.v2.eu.x'
 * transformSubject({ src: 'a.*.*', dest: 'a.{{wildcard(2)}}.$1' }, 'a.x.y'); // 'a.y.x'
 */
export function transformSubject(transform: ServerSubjectTransform, subject: string): string | null {
  const src = (transform.src || '>').split('.');
  const tokens = subject.split('.');
  const stars: string[] = [];
  let tail: string | undefined;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '>') {
      if (tokens.length <= i) return null;
      tail = tokens.slice(i).join('.');
      break;
    }
    if (i >= tokens.length || (src[i] !== '*' && src[i] !== tokens[i])) return null;
    if (src[i] === '*') stars.push(tokens[i]);
  }
  if (tail === undefined && tokens.length !== src.length) return null;
  if (!transform.dest) return subject;
  const out: string[] = [];
  let nextStar = 0;
  for (const token of transform.dest.split('.')) {
    const reference = /^(?:\$(\d+)|\{\{\s*wildcard\s*\(\s*(\d+)\s*\)\s*\}\})$/i.exec(token);
    if (token === '*') out.push(stars[nextStar++] ?? '*');
    else if (token === '>') out.push(tail ?? '>');
    else if (reference) out.push(stars[Number(reference[1] ?? reference[2]) - 1] ?? token);
    else if (token.includes('{{') || token.startsWith('$')) return `${UNKNOWN_PREFIX}${JSON.stringify([transform, subject])}`;
    else out.push(token);
  }
  return out.join('.');
}

/**
 * The subject a stream with `config` stores a message under, `null` when it does not take it (a
 * source's transforms or filter leave it out).
 */
export function storedSubject(config: Partial<ServerStreamConfig>, subject: string, arrival: Arrival = {}): string | null {
  let arrived: string | null = subject;
  const source = arrival.source;
  if (source?.subject_transforms?.length) {
    arrived = null;
    for (const transform of source.subject_transforms) {
      arrived = transformSubject(transform, subject);
      if (arrived !== null) break;
    }
  } else if (source?.filter_subject) {
    arrived = transformSubject({ src: source.filter_subject, dest: '' }, subject);
  }
  if (arrived === null || !config.subject_transform || arrived.startsWith(UNKNOWN_PREFIX)) return arrived;
  // A subject the stream's transform does not match is stored as it arrived.
  return transformSubject(config.subject_transform, arrived) ?? arrived;
}

/** The subjects a source can bring in: the `src` of its transforms, its filter, or any. */
export function sourceInputs(source: ServerStreamSource): string[] {
  if (source.subject_transforms?.length) return source.subject_transforms.map((t) => t.src || '>');
  return [source.filter_subject || '>'];
}
