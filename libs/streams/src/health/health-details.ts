import type { StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';

/** What the streams indicator reports under its key in `/health`. */
export type HealthDetails = {
  checkedAt: string;
  /** How many of the checked streams are up (healthy, without warnings in compact mode). */
  up: number;
  /** Per stream: every checked one (`full`), or only those with a problem or a warning (`compact`). */
  streams: Record<string, StreamSummary>;
  /**
   * How long a declared consumer changed elsewhere (the `nats` CLI, another app) can read as
   * declared here: the server announces no consumer update (2.9 to 2.15), so health sees the change
   * on the next snapshot, within `monitorIntervalMs` (`ensure*` may answer from its cache until
   * `cacheTtlMs` has passed).
   */
  consumerChangesSeenWithinMs?: number;
  /** Set when a checked stream is unhealthy. */
  reason?: string;
  failing?: string[];
};

/** The part of a stream's health record that goes into the details. */
export type StreamSummary = Pick<
  StreamHealth,
  'status' | 'reason' | 'problems' | 'messages' | 'bytes' | 'usage' | 'drift' | 'consumers'
> & {
  warnings?: string[];
  leader?: string;
  replicas?: NonNullable<StreamHealth['cluster']>['replicas'];
};

/**
 * The indicator's details for the streams `names` of a snapshot (all of them when `names` is
 * empty). A name missing from the snapshot is a stream not found.
 */
export function healthDetails(snapshot: StreamsSnapshot, names: string[], mode: 'compact' | 'full'): HealthDetails {
  const selected = names.length ? names : Object.keys(snapshot.streams);
  const streams: Record<string, StreamSummary> = Object.create(null);
  const failing: string[] = [];
  let up = 0;
  for (const name of selected) {
    const health = Object.hasOwn(snapshot.streams, name) ? snapshot.streams[name] : undefined;
    if (!health?.healthy) failing.push(name);
    const clean = health?.healthy && health.status === 'up' && health.warnings.length === 0;
    if (health?.status === 'up' && health.healthy) up += 1;
    if (mode === 'full' || !clean) streams[name] = health ? summary(health) : missing();
  }
  const details: HealthDetails = { checkedAt: snapshot.at, up, streams };
  return failing.length ? { ...details, reason: `streams down: ${failing.join(', ')}`, failing } : details;
}

function summary(health: StreamHealth): StreamSummary {
  return {
    status: health.status,
    ...(health.reason ? { reason: health.reason } : {}),
    problems: health.problems,
    ...(health.warnings.length ? { warnings: health.warnings } : {}),
    messages: health.messages,
    bytes: health.bytes,
    usage: health.usage,
    ...(health.cluster ? { leader: health.cluster.leader, replicas: health.cluster.replicas } : {}),
    ...(health.drift?.length ? { drift: health.drift } : {}),
    ...(health.consumers ? { consumers: health.consumers } : {}),
  };
}

function missing(): StreamSummary {
  return { status: 'down', reason: 'not-found', problems: ['stream not found'], messages: 0, bytes: 0, usage: {} };
}
