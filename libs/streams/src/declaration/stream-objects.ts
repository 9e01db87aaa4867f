import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { durationNanos } from './duration.js';
import type { DesiredStreamConfig, StreamObjectField } from './stream-fields.js';
import { isRecord, show } from '../checks/values.js';
import { streamNameProblem, subjectProblem } from './subjects.js';
import type { ServerStreamSource } from '../server/server-stream.js';

/** Checks a declared object field and returns the server's form of it (a copy). */
export type ObjectCheck<K extends StreamObjectField> = (value: unknown, stream: string) => NonNullable<DesiredStreamConfig[K]>;

const MAX_METADATA_BYTES = 128 * 1024;

/**
 * Why `placement.preferred` is refused: every nats-server refuses or drops it in a stream's config,
 * so declaring it would never place a leader.
 */
const PREFERRED_REFUSED =
  "is not accepted in a stream's config by any nats-server: 2.11 to 2.15 refuse it ('preferred server not permitted in placement', 10052) and older servers drop it. " +
  'Leave it out; to move a stream leader to a server, send a leader step-down request naming it (nats-server 2.11+, e.g. `nats stream cluster step-down <stream> --preferred <server>`)';

/**
 * The checker of each object-valued stream field. Each reads only the object's own enumerable
 * properties (once each), so a prototype cannot add a key, and returns a fresh copy the caller
 * cannot change afterwards.
 */
export const STREAM_OBJECT_CHECKS: { readonly [K in StreamObjectField]: ObjectCheck<K> } = {
  placement: (value, stream) => {
    const fail = failOn(stream, 'placement');
    const placement = ownFields(value) ?? fail(`must be an object, got ${show(value)}`);
    const { cluster, tags, preferred } = placement;
    // Measured on 2.15.1: create and update both answer 10052 with or without pedantic; 2.9 and 2.10 drop it.
    if (preferred !== undefined) failOn(stream, 'placement.preferred')(PREFERRED_REFUSED);
    const unknown = Object.keys(placement).find((key) => key !== 'cluster' && key !== 'tags');
    if (unknown !== undefined) failOn(stream, `placement.${unknown}`)('is not a field of placement (cluster, tags)');
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
      // Assigning '__proto__' to a plain object sets its prototype instead: the key would vanish.
      if (key === '__proto__') fail(`key '__proto__' cannot be kept by a JavaScript object; choose another key`);
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
        inactive_threshold: durationNanos(threshold, 0, failOn(stream, 'consumer_limits.inactive_threshold')),
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
  if (source.consumer !== undefined) checkSourceConsumer(source.consumer, fail);
  return { ...source, name: source.name as string };
}

/** A durable consumer of the origin to read through (nats-server 2.14+): its name and the subject it delivers to. */
function checkSourceConsumer(value: unknown, fail: (reason: string) => never): void {
  const consumer = ownFields(value) ?? fail(`consumer must be an object with a name and a deliver_subject, got ${show(value)}`);
  const nameProblem = streamNameProblem(consumer.name);
  if (nameProblem) fail(`consumer.name ${nameProblem.replace('stream names', 'consumer names')}`);
  const subject = consumer.deliver_subject;
  const problem = subjectProblem(subject);
  if (problem) fail(`consumer.deliver_subject ${problem.replace('must be strings', 'must be a string')}`);
  if (/(^|\.)[*>](\.|$)/.test(subject as string))
    fail(`consumer.deliver_subject ${show(subject)} has a wildcard; a deliver subject cannot`);
  for (const key of Object.keys(consumer)) {
    if (key !== 'name' && key !== 'deliver_subject') fail(`consumer.${key} is not a field of a source's consumer (name, deliver_subject)`);
  }
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
