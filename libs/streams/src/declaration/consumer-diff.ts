import { CONSUMER_FIELDS, type DesiredConsumerConfig } from './consumer-fields.js';
import { absentValue, comparable, diffFields, knows, sameValue, type FieldDiff } from './field-table.js';
import { isPlacing, MOVED_CONSUMER_METADATA_KEY, movedStart } from './moved-consumer.js';
import type { ServerConsumerConfig } from '../server/server-consumer.js';
import type { ServerVersion } from '../server/server-version.js';
import { metadataForUpdate } from './server-metadata.js';

/** Desired vs actual, field by field: every differing field, and those the server cannot change in place. */
export type ConsumerDiff = FieldDiff;

/**
 * Compares a complete desired consumer config with the config the server reports, over the
 * consumer table, ignoring what the server fills in: `name`, its `_nats.*` metadata, `max_waiting`
 * 512 on a pull consumer, `max_ack_pending` 1000, `ack_wait` 30 s (or `backoff[0]`), limits of 0,
 * `num_replicas` 0 (= the stream's `streamReplicas`), filter order, the spelling of a start time.
 *
 * A consumer that a migration moved (see {@link movedStart}) is compared by the start it was
 * declared with, so it matches its declaration; the migration's metadata record is ignored.
 */
export function diffConsumerConfig(
  desired: DesiredConsumerConfig,
  actual: ServerConsumerConfig,
  version: ServerVersion,
  streamReplicas: number,
): ConsumerDiff {
  const moved = movedStart(actual, desired, version);
  const current: ServerConsumerConfig = { ...actual, num_replicas: actual.num_replicas || streamReplicas };
  // A migration placing the consumer paused it: its pause is the migration's, not a drift to undo.
  if (isPlacing(actual)) current.pause_until = desired.pause_until;
  if (moved) {
    current.deliver_policy = moved.deliver_policy as ServerConsumerConfig['deliver_policy'];
    current.opt_start_seq = moved.opt_start_seq;
    current.opt_start_time = moved.opt_start_time;
  }
  const wanted: ServerConsumerConfig = { ...desired, num_replicas: desired.num_replicas || streamReplicas };
  return diffFields(CONSUMER_FIELDS, wanted, current, version);
}

/**
 * Why the running server cannot take the desired consumer as declared, as `[field, reason]`, or
 * undefined: a field it does not know (nats-server 2.9 would accept and silently drop
 * `filter_subjects` or `metadata`, leaving an unfiltered consumer), a backoff 2.9 refuses, or
 * replicas on a server outside a cluster.
 */
export function consumerSupportProblem(
  desired: DesiredConsumerConfig,
  version: ServerVersion,
  clustered: boolean,
): [string, string] | undefined {
  for (let i = 0; i < CONSUMER_FIELDS.length; i++) {
    const row = CONSUMER_FIELDS[i];
    const value = desired[row.field];
    const known = knows(row, version);
    const since = known ? row.valueSince?.(value) : row.since;
    if (since === undefined || version.atLeast(since)) continue;
    if (sameValue(comparable(row, value, desired), absentValue(row, desired))) continue;
    const what = known ? `${JSON.stringify(value)} needs` : 'needs';
    return [row.field, `${what} nats-server ${since} or newer; the server is ${version}, which would silently drop it`];
  }
  const steps = desired.backoff?.length ?? 0;
  if (steps > 0 && !version.atLeast('2.10.0') && (desired.max_deliver === -1 || desired.max_deliver <= steps)) {
    return [
      'max_deliver',
      `must be above the ${steps} backoff steps on nats-server ${version} (it refuses the consumer otherwise), got ${desired.max_deliver}`,
    ];
  }
  if (desired.num_replicas > 1 && !clustered) {
    return ['num_replicas', `is ${desired.num_replicas}, but the server is not part of a JetStream cluster; leave it out`];
  }
  return undefined;
}

/** Whether applying `diff` takes an update request: any change but the pause (which takes the pause API alone). */
export function needsConsumerUpdate(diff: ConsumerDiff): boolean {
  return diff.changes.some((change) => change.field !== 'pause_until');
}

/** The config to send in a create: the declaration as it is (every field the server knows). */
export function createConsumerRequest(desired: DesiredConsumerConfig): ServerConsumerConfig {
  return { ...desired };
}

/**
 * The config to send in an update: the server's current config (so fields this library does not
 * manage, the start of a moved consumer and the server's own metadata keep their values) with each
 * differing field of `diff` set to its declared value, or removed when the declaration leaves it
 * out. Declared metadata keeps the migration's record of a moved consumer.
 */
export function consumerUpdateRequest(
  desired: DesiredConsumerConfig,
  actual: ServerConsumerConfig,
  diff: ConsumerDiff,
): ServerConsumerConfig {
  const request: Record<string, unknown> = { ...actual };
  const declared = desired as unknown as Record<string, unknown>;
  for (const { field } of diff.changes) {
    // The server keeps the pause it holds whatever an update says: the pause API changes it.
    if (field === 'pause_until') continue;
    if (field === 'metadata') {
      const moved = actual.metadata?.[MOVED_CONSUMER_METADATA_KEY];
      request.metadata = {
        ...(metadataForUpdate(desired.metadata, actual.metadata) ?? {}),
        ...(moved !== undefined ? { [MOVED_CONSUMER_METADATA_KEY]: moved } : {}),
      };
    } else if (declared[field] === undefined) {
      delete request[field];
    } else {
      request[field] = declared[field];
    }
  }
  return request as ServerConsumerConfig;
}

/**
 * The consumer as the server makes it on a stream with `consumer_limits`: a consumer declared
 * without an `inactive_threshold` gets the stream's. Declared here too, so that the diff reads no
 * change and a `pedantic` server (2.11+), which refuses to fill it in, takes the request.
 */
export function withStreamLimits(
  desired: DesiredConsumerConfig,
  limits: { inactive_threshold?: number } | undefined,
): DesiredConsumerConfig {
  const threshold = limits?.inactive_threshold;
  if (desired.inactive_threshold !== undefined || threshold === undefined || threshold === 0) return desired;
  return { ...desired, inactive_threshold: threshold };
}
