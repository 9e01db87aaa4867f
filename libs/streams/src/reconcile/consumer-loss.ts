import type { DataLossEstimate, DataLossField } from '../errors/stream-data-loss.error.js';
import type { ServerConsumerConfig, ServerConsumerInfo } from '../server/server-consumer.js';
import type { ServerStreamConfig, ServerStreamInfo } from '../server/server-stream.js';
import type { ServerVersion } from '../server/server-version.js';
import { formatDuration } from '../declaration/duration.js';
import { subjectsCover, subjectsWithin } from '../declaration/subject-coverage.js';

/** Another consumer the app declares on the same stream: as it is now (null: not yet made), and as declared. */
export interface PeerConsumer {
  current: ServerConsumerInfo | null;
  desired: ServerConsumerConfig;
}

/** One declared consumer's update on an existing stream, with what the rules need to judge it. */
export interface ConsumerChange {
  /** The stream as it is. */
  stream: ServerStreamInfo;
  /** The subjects the stream can hold (see {@link streamScope}). */
  scope: readonly string[];
  /** The consumer as it is. */
  consumer: ServerConsumerInfo;
  /** The consumer as declared. */
  desired: ServerConsumerConfig;
  /** The stream's other declared consumers. */
  peers: readonly PeerConsumer[];
  /**
   * The stream's `consumer_limits.inactive_threshold` as declared: the server gives it to a
   * consumer created or updated without one of its own (2.10+).
   */
  streamThreshold?: number;
  /**
   * Subjects the stream holds messages on outside `scope` (left there by a subject removed earlier)
   * that the consumer follows now, read when {@link heldSubjectsToRead} asks for them.
   */
  heldOutsideScope?: readonly string[];
  version: ServerVersion;
}

/**
 * The subjects a stream can hold: its subjects now and as declared. Anything (`>`) for a stream
 * whose stored subjects are not its own (a mirror, sources, a subject transform, no subjects).
 */
export function streamScope(...configs: ReadonlyArray<Partial<ServerStreamConfig>>): string[] {
  const scope = new Set<string>();
  for (const config of configs) {
    if (config.mirror || config.sources?.length || config.subject_transform || !config.subjects?.length) return ['>'];
    for (const subject of config.subjects) scope.add(subject);
  }
  return [...scope];
}

/** A consumer's filters; none means the whole stream (`>`). */
export function filtersOf(config: Pick<ServerConsumerConfig, 'filter_subject' | 'filter_subjects'>): string[] {
  if (config.filter_subjects?.length) return [...config.filter_subjects];
  return config.filter_subject ? [config.filter_subject] : ['>'];
}

/**
 * What updating a consumer of an interest stream would delete; undefined when nothing. The server
 * keeps a message of an interest stream while some consumer that follows its subject has not
 * acknowledged it (measured on nats-server 2.9 to 2.15):
 * - a narrower filter ends the consumer's interest in the subjects it stops following: 2.10+
 *   deletes at once the messages on them that no other consumer needs, 2.9 at the next deletion
 *   of any consumer of the stream. At most what the consumer has not acknowledged;
 * - an `inactive_threshold` added (or lowered) lets the server delete the consumer once it has
 *   had no client that long (a deploy, an outage), and with it every message only it needed,
 *   now and published while it is gone: refused even when it is caught up.
 * Subjects another declared consumer follows (now and as declared, without an inactive_threshold,
 * from the start of the stream or from no later than this one's acknowledgement floor) lose
 * nothing: that consumer still needs what this one leaves. Only subjects the stream can hold count
 * (`'x.>'` -> `['x.a.>', 'x.b.>']` on a stream of `x.a.>` and `x.b.>` is no change of coverage).
 * A work-queue or limits stream keeps messages whatever its consumers do.
 */
export function assessConsumerLoss(change: ConsumerChange): DataLossEstimate | undefined {
  const { stream, consumer, desired, version } = change;
  if (stream.config.retention !== 'interest') return undefined;
  const unacked = Math.min(stream.state.messages, consumer.num_pending + consumer.num_ack_pending);
  const bytes = Math.round((unacked * stream.state.bytes) / Math.max(1, stream.state.messages));
  const followed = followedByPeers(change);
  const name = consumer.name;
  const fields: DataLossField[] = [];

  const before = filtersOf(consumer.config);
  const after = filtersOf(desired);
  const abandoned = [...subjectsWithin(before, change.scope), ...(change.heldOutsideScope ?? [])].filter(
    (piece) => !stillFollowed(after, followed, piece),
  );
  if (abandoned.length > 0 && unacked > 0) {
    const when = version.atLeast('2.10.0') ? '' : ' (nats-server 2.9 deletes them at the next deletion of a consumer of the stream)';
    fields.push({
      field: `consumers.${name}.filter_subjects`,
      current: before,
      desired: after,
      held: `${unacked} messages it has not acknowledged, those on ${unique(abandoned).join(', ')} that no other consumer needs${when}`,
      messages: unacked,
      bytes,
      kind: 'consumer-filter',
      consumer: name,
    });
  }

  const threshold = effectiveThreshold(change);
  if (expires(consumer.config.inactive_threshold, threshold)) {
    const pieces = [...subjectsWithin(after, change.scope), ...(change.heldOutsideScope ?? [])];
    const alone = unique(pieces).filter((piece) => !stillFollowed([], followed, piece));
    if (alone.length > 0) {
      fields.push({
        field: `consumers.${name}.inactive_threshold`,
        current: consumer.config.inactive_threshold || undefined,
        desired: threshold,
        held:
          `the ${unacked} messages it has not acknowledged, and every later one on ${alone.join(', ')}: once it has had no client ` +
          `for ${formatDuration(threshold)} the server deletes the consumer, and with it the messages no other consumer needs` +
          (desired.inactive_threshold
            ? ''
            : " (the stream's consumer_limits.inactive_threshold, which the server gives a consumer updated without one)"),
        messages: unacked,
        bytes,
        kind: 'consumer-expiry',
        consumer: name,
      });
    }
  }
  if (fields.length === 0) return undefined;
  return { messages: unacked, bytes, exact: false, fields };
}

/**
 * The consumer's current filters that {@link assessConsumerLoss} would take as still followed only
 * because they reach beyond the subjects the stream can hold. The stream may still hold messages
 * there (a subject removed from it keeps its messages), so the subjects held on those filters must
 * be read (STREAM.INFO `subjects_filter`) and the ones {@link outsideScope} passed as
 * `heldOutsideScope`. Empty when nothing needs reading: no loss is possible, or one is certain.
 */
export function heldSubjectsToRead(change: Omit<ConsumerChange, 'heldOutsideScope'>): string[] {
  const { stream, consumer, desired, scope } = change;
  if (stream.config.retention !== 'interest' || scope.includes('>')) return [];
  const followed = followedByPeers(change);
  const expiring = expires(consumer.config.inactive_threshold, effectiveThreshold(change));
  if (!expiring && consumer.num_pending + consumer.num_ack_pending === 0) return [];
  // An expiring consumer keeps nothing for the others and loses what its new filters follow; a
  // narrowing one keeps what its new filters follow and loses what its current ones do.
  const own = expiring ? [] : filtersOf(desired);
  const follows = expiring ? filtersOf(desired) : filtersOf(consumer.config);
  if (subjectsWithin(follows, scope).some((piece) => !stillFollowed(own, followed, piece))) return [];
  return follows.filter((filter) => !stillFollowed(own, followed, filter));
}

/** Of the subjects read for {@link heldSubjectsToRead}, those outside the stream's scope. */
export function outsideScope(subjects: readonly string[], scope: readonly string[]): string[] {
  return subjects.filter((subject) => !subjectsCover(scope, subject));
}

/** What the other declared consumers follow now and as declared, counting only those that keep needing what this one leaves. */
function followedByPeers({ consumer, peers }: Pick<ConsumerChange, 'consumer' | 'peers'>): { now: string[]; after: string[] } {
  const now: string[] = [];
  const after: string[] = [];
  for (const peer of peers) {
    const current = peer.current;
    if (!current || current.config.inactive_threshold || peer.desired.inactive_threshold) continue;
    // A consumer that started later (or has moved past this one's floor without starting at the
    // beginning) may never have wanted what this one still holds.
    const fromStart = current.config.deliver_policy === undefined || current.config.deliver_policy === 'all';
    if (!fromStart && current.ack_floor.stream_seq > consumer.ack_floor.stream_seq) continue;
    now.push(...filtersOf(current.config));
    after.push(...filtersOf(peer.desired));
  }
  return { now, after };
}

/** Whether a subject piece stays followed: by the consumer's own new filters or by other consumers, now and after. */
function stillFollowed(own: readonly string[], followed: { now: string[]; after: string[] }, piece: string): boolean {
  return subjectsCover([...own, ...followed.now], piece) && subjectsCover([...own, ...followed.after], piece);
}

/** The inactive threshold the consumer gets: its own, else the stream's consumer limit. */
function effectiveThreshold({ desired, streamThreshold }: Pick<ConsumerChange, 'desired' | 'streamThreshold'>): number {
  return desired.inactive_threshold || streamThreshold || 0;
}

/** Whether an inactive threshold is added or lowered (0 or unset: the consumer never expires). */
function expires(current: number | undefined, desired: number): boolean {
  return desired > 0 && (!current || desired < current);
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
