import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { parseDuration } from './duration.js';
import type { Duration } from './duration.js';
import type { DesiredStreamConfig, StreamObjectField } from './stream-fields.js';
import { isRecord, show } from './show-value.js';
import { streamNameProblem, subjectProblem } from './subjects.js';
import type { ServerStreamSource } from '../server/server-stream.js';

/** Checks a declared object field and returns the server's form of it (a copy). */
export type ObjectCheck<K extends StreamObjectField> = (value: unknown, stream: string) => NonNullable<DesiredStreamConfig[K]>;

const MAX_METADATA_BYTES = 128 * 1024;

/**
 * The checker of each object-valued stream field. Each reads only the object's own enumerable
 * properties (once each), so a prototype cannot add a key, and returns a fresh copy the caller
 * cannot change afterwards.
 */
export const STREAM_OBJECT_CHECKS: { readonly [K in StreamObjectField]: ObjectCheck<K> } = {
  placement: (value, stream) => {
    const fail = failOn(stream, 'placement');
    const placement = ownFields(value) ?? fail(`must be an object, got ${show(value)}`);
    const { cluster, tags } = placement;
    if (cluster !== undefined && (typeof cluster !== 'string' || cluster === '')) {
      fail(`cluster must be a non-empty string, got ${show(cluster)}`);
    }
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
      fail(`tags must be an array of strings, got ${show(tags)}`);
    }
    // Only the declared keys: the server omits empty ones from stream info, so a diff stays quiet.
    return {
      ...(cluster !== undefined && { cluster: cluster as string }),
      ...(tags !== undefined && { tags: [...(tags as string[])] }),
    };
  },

  metadata: (value, stream) => {
    const fail = failOn(stream, 'metadata');
    const metadata = ownFields(value) ?? fail(`must be an object of strings, got ${show(value)}`);
    const out: Record<string, string> = {};
    let bytes = 0;
    for (const key in metadata) {
      const text = metadata[key];
      if (key.startsWith('_nats.')) fail(`key ${show(key)} is reserved for the server (keys starting with '_nats.')`);
      if (typeof text !== 'string') return fail(`value of ${show(key)} must be a string, got ${show(text)}`);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
      out[key] = text;
    }
    if (bytes > MAX_METADATA_BYTES) fail(`is ${bytes} bytes; the maximum is ${MAX_METADATA_BYTES}`);
    return out;
  },

  republish: (value, stream) => {
    const fail = failOn(stream, 'republish');
    const republish = ownFields(value) ?? fail(`must be an object with src and dest, got ${show(value)}`);
    const problem = subjectProblem(republish.src);
    if (problem) fail(`src ${problem}`);
    if (!isSubjectText(republish.dest)) fail(`dest must be a subject, got ${show(republish.dest)}`);
    if (republish.headers_only !== undefined && typeof republish.headers_only !== 'boolean') {
      fail(`headers_only must be true or false, got ${show(republish.headers_only)}`);
    }
    return { ...republish, src: republish.src as string, dest: republish.dest as string };
  },

  subject_transform: (value, stream) => {
    const fail = failOn(stream, 'subject_transform');
    const transform = ownFields(value) ?? fail(`must be an object with dest, got ${show(value)}`);
    const problem = transform.src === undefined ? undefined : subjectProblem(transform.src);
    if (problem) fail(`src ${problem}`);
    if (!isSubjectText(transform.dest)) fail(`dest must be a subject, got ${show(transform.dest)}`);
    return { ...transform, dest: transform.dest as string };
  },

  sources: (value, stream) => {
    if (!Array.isArray(value)) return failOn(stream, 'sources')(`must be an array, got ${show(value)}`);
    return value.map((source: unknown) => checkSource(source, 'sources', stream));
  },

  mirror: (value, stream) => checkSource(value, 'mirror', stream),

  consumer_limits: (value, stream) => {
    const limits = ownFields(value) ?? failOn(stream, 'consumer_limits')(`must be an object, got ${show(value)}`);
    const { inactive_threshold: threshold, max_ack_pending: maxAckPending } = limits;
    if (maxAckPending !== undefined && !(Number.isSafeInteger(maxAckPending) && (maxAckPending as number) >= -1)) {
      failOn(stream, 'consumer_limits.max_ack_pending')(`must be a whole number >= -1, got ${show(maxAckPending)}`);
    }
    return {
      ...(threshold !== undefined && {
        inactive_threshold: parseDuration(threshold as Duration, 'consumer_limits.inactive_threshold', stream),
      }),
      ...(maxAckPending !== undefined && { max_ack_pending: maxAckPending as number }),
    };
  },
};

function checkSource(value: unknown, field: 'sources' | 'mirror', stream: string): ServerStreamSource {
  const fail = failOn(stream, field);
  const source = ownFields(value) ?? fail(`must be an object with a stream name, got ${show(value)}`);
  const problem = streamNameProblem(source.name);
  if (problem) fail(`name ${problem}`);
  // A stream of the same name in another domain or account (`external`) is another stream: a leaf's read replica.
  if (source.name === stream && source.external === undefined) fail(`cannot be the stream itself ('${stream}')`);
  const filter = source.filter_subject;
  const filterProblem = filter === undefined ? undefined : subjectProblem(filter);
  if (filterProblem) fail(`filter_subject ${filterProblem}`);
  const seq = source.opt_start_seq;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) >= 0)) {
    fail(`opt_start_seq must be a whole number >= 0, got ${show(seq)}`);
  }
  if (source.opt_start_time !== undefined && typeof source.opt_start_time !== 'string') {
    fail(`opt_start_time must be an ISO date string, got ${show(source.opt_start_time)}`);
  }
  return { ...source, name: source.name as string };
}

/** A copy of the object's own enumerable properties without a prototype, or undefined for a non-object. */
function ownFields(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  const fields: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) fields[key] = value[key];
  return fields;
}

function isSubjectText(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && !/\s/.test(value);
}

function failOn(stream: string, field: string): (reason: string) => never {
  return (reason) => {
    throw new InvalidStreamConfigError(stream, field, reason);
  };
}
