import type { ServerStreamInfo as StreamInfo } from '../server/server-stream.js';
import type { HealthOptions } from '../streams.options.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { diffStreamConfig, type FieldChange } from '../declaration/stream-diff.js';
import type { ServerVersion } from '../server/server-version.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { consumerHealth, type ConsumerHealth } from './consumer-health.js';

/**
 * Why a stream is not simply up, for machines (metrics attributes, alert rules):
 * `not-found` (declared but missing), `unreadable` (the server did not answer), `drifted` (differs
 * from its declaration), `usage` (a limit at the threshold), `no-leader`, `replicas` (a replica
 * lagging or offline), `offline` (the server holds the stream but has it offline, 2.12+: see
 * `StreamOfflineError`), `migrating` (a migration's temporary copy, see `onConflict: 'migrate'`),
 * `flapping` (repairs stopped: it kept drifting after repairs, see `reconcile.maxRepairs`), and for
 * a declared consumer of the stream (see {@link ConsumerHealth}): `consumer-not-found`,
 * `consumer-drifted`, `consumer-lag` (`health.consumerLag`), `consumer-ack-pending`
 * (`health.consumerAckPending`), `consumer-unreadable` (its stream's consumers could not be listed).
 */
export type HealthReason =
  | 'not-found'
  | 'offline'
  | 'unreadable'
  | 'drifted'
  | 'usage'
  | 'no-leader'
  | 'replicas'
  | 'migrating'
  | 'flapping'
  | 'consumer-not-found'
  | 'consumer-drifted'
  | 'consumer-lag'
  | 'consumer-ack-pending'
  | 'consumer-unreadable';

/** The state of one replica of a clustered stream. */
export interface ReplicaHealth {
  name: string;
  state: 'current' | 'lagging' | 'offline';
  /** Operations behind the leader. */
  lag: number;
  /** Milliseconds since the replica was last seen. */
  activeMs: number;
}

/** A stream's health, as `StreamMonitor.healthCheck` returns it and `StreamMonitor.snapshots` emits it. */
export interface StreamHealth {
  name: string;
  /** False when `status` is `down`, or `degraded` and `health.degradedReplicas` is `'down'`. */
  healthy: boolean;
  /** `degraded`: a replica is lagging or offline but the stream has a leader. */
  status: 'up' | 'degraded' | 'down';
  /** The machine-readable reason of the first problem (or, with none, of the first warning); absent when all is well. */
  reason?: HealthReason;
  /** Why the stream is not `up`; empty when it is. */
  problems: string[];
  /**
   * What deserves a look without making the stream unhealthy: a `discard: 'old'` stream over the
   * usage threshold (it drops its oldest messages by design; publishes still succeed).
   */
  warnings: string[];
  subjects: string[];
  messages: number;
  bytes: number;
  first_seq: number;
  last_seq: number;
  consumer_count: number;
  /** Fraction (0..1+) of each configured limit in use; a limit that is not set is left out. */
  usage: { messages?: number; bytes?: number };
  /** The configured limits behind `usage` (`max_msgs`, `max_bytes`); a limit that is not set is left out. */
  limits: { messages?: number; bytes?: number };
  /** Leader and replicas, when the stream is replicated in a cluster. */
  cluster?: { name?: string; leader?: string; replicas: ReplicaHealth[] };
  /** Fields that differ from the app's declaration (only for declared streams). */
  drift?: FieldChange[];
  /** The stream's declared consumers, by name (only when it declares some). */
  consumers?: Record<string, ConsumerHealth>;
  /**
   * When the facts in `consumers` were listed (ISO 8601). With `consumerReadsPerTick` a monitor
   * tick reads only some streams' consumers, so this can be older than the snapshot's `at`.
   */
  consumersReadAt?: string;
  /** Why the stream could not be read (`healthy` is then false). */
  error?: string;
}

/** What besides the stream info decides its health. */
export interface HealthContext {
  /** The app's declaration of the stream, normalised, if it declared it. */
  declared?: DesiredStream;
  version: ServerVersion;
  thresholds: Required<HealthOptions>;
  /** The stream's consumers as listed for this record (by name), or why they could not be; only for a stream that declares consumers. */
  consumers?: ReadonlyMap<string, ServerConsumerInfo> | Error;
  /** When `consumers` were listed (ISO 8601), shown in the record. */
  consumersReadAt?: string;
}

/**
 * Builds a stream's health record from its info, or from the error that kept it from being read
 * (`name` names the stream then; a `StreamNotFoundError` names it itself).
 */
export function toStreamHealth(source: StreamInfo | Error, context: HealthContext, name?: string): StreamHealth {
  if (source instanceof Error) {
    return unreadable(name ?? (source instanceof StreamNotFoundError ? source.stream : ''), source);
  }
  const { config, state } = source;
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  const usage = usageOf(source);
  // At its limit a discard-new stream refuses publishes (a problem); a discard-old one drops its
  // oldest messages, which is how it is meant to run (worth a warning only).
  const full = config.discard === 'new' ? problems : warnings;
  const threshold = context.thresholds.usageThreshold;
  for (const [kind, fraction] of Object.entries(usage)) {
    if (fraction >= threshold) {
      full.push(['usage', `${kind} at ${Math.round(fraction * 100)}% of the limit (threshold ${Math.round(threshold * 100)}%)`]);
    }
  }
  const drift = context.declared ? diffStreamConfig(context.declared.config, config, context.version).changes : undefined;
  if (drift?.length) {
    const finding: Finding = ['drifted', `drifted from its declaration: ${drift.map((d) => d.field).join(', ')}`];
    (context.thresholds.drift === 'warn' ? warnings : problems).push(finding);
  }
  const cluster = clusterOf(source);
  let degraded = false;
  if (cluster && config.num_replicas > 1) {
    if (!cluster.leader) problems.push(['no-leader', 'no leader']);
    const unwell = cluster.replicas.filter((r) => r.state !== 'current').map((r) => `${r.name} ${r.state}`);
    const missing = config.num_replicas - 1 - cluster.replicas.length;
    if (missing > 0) unwell.push(`${missing} missing`);
    if (cluster.leader && unwell.length) {
      problems.push(['replicas', `replicas not current: ${unwell.join(', ')}`]);
      degraded = problems.length === 1;
    }
  }
  const consumers = consumersOf(source, context, problems, warnings);
  const status = problems.length === 0 ? 'up' : degraded ? 'degraded' : 'down';
  const healthy = status === 'up' || (status === 'degraded' && context.thresholds.degradedReplicas === 'up');
  const reason = (problems[0] ?? warnings[0])?.[0];
  return {
    name: config.name,
    healthy,
    status,
    ...(reason ? { reason } : {}),
    problems: problems.map(([, text]) => text),
    warnings: warnings.map(([, text]) => text),
    subjects: config.subjects ?? [],
    messages: state.messages,
    bytes: state.bytes,
    first_seq: state.first_seq,
    last_seq: state.last_seq,
    consumer_count: state.consumer_count,
    usage,
    limits: limitsOf(source),
    ...(cluster && config.num_replicas > 1 ? { cluster } : {}),
    ...(drift ? { drift } : {}),
    ...(consumers ? { consumers } : {}),
    ...(consumers && context.consumersReadAt ? { consumersReadAt: context.consumersReadAt } : {}),
  };
}

/** The declared consumers' health records; each one's problem (or drift warning) is also the stream's. */
function consumersOf(info: StreamInfo, context: HealthContext, problems: Finding[], warnings: Finding[]): StreamHealth['consumers'] {
  const declared = context.declared?.consumers;
  if (!declared || !context.consumers) return undefined;
  const records: Record<string, ConsumerHealth> = Object.create(null);
  for (const consumer of declared) {
    const record = consumerHealth(consumer, context.consumers, context, info.config.num_replicas);
    records[consumer.name] = record;
    if (!record.reason) continue;
    const finding: Finding = [
      `consumer-${record.reason}`,
      `consumer "${consumer.name}": ${record.problems[0] ?? `drifted from its declaration: ${(record.drift ?? []).map((d) => d.field).join(', ')}`}`,
    ];
    (record.healthy ? warnings : problems).push(finding);
  }
  return records;
}

/** One finding about a stream: its machine-readable reason and its text. */
type Finding = [HealthReason, string];

function usageOf({ config, state }: StreamInfo): StreamHealth['usage'] {
  const usage: StreamHealth['usage'] = {};
  if (config.max_msgs > 0) usage.messages = state.messages / config.max_msgs;
  if (config.max_bytes > 0) usage.bytes = state.bytes / config.max_bytes;
  return usage;
}

function limitsOf({ config }: StreamInfo): StreamHealth['limits'] {
  return {
    ...(config.max_msgs > 0 ? { messages: config.max_msgs } : {}),
    ...(config.max_bytes > 0 ? { bytes: config.max_bytes } : {}),
  };
}

function clusterOf(info: StreamInfo): StreamHealth['cluster'] {
  if (!info.cluster) return undefined;
  const replicas = (info.cluster.replicas ?? []).map((r): ReplicaHealth => ({
    name: r.name,
    state: replicaState(r),
    lag: r.lag ?? 0,
    activeMs: Math.round((r.active ?? 0) / 1e6),
  }));
  return { name: info.cluster.name, leader: info.cluster.leader, replicas };
}

/**
 * The server rarely sets `offline`: a replica whose server is gone shows as not current, and on
 * 2.9 as not seen (`active`) for longer and longer. Unseen for 5 s or more counts as offline.
 */
function replicaState(r: { current: boolean; offline?: boolean; active?: number }): ReplicaHealth['state'] {
  if (r.offline || (!r.current && (r.active ?? 0) >= 5e9)) return 'offline';
  return r.current ? 'current' : 'lagging';
}

function unreadable(name: string, error: Error): StreamHealth {
  const missing = error instanceof StreamNotFoundError;
  const reason = missing ? 'stream not found' : error.message;
  return {
    ...emptyHealth(name),
    healthy: false,
    status: 'down',
    reason: missing ? 'not-found' : error instanceof StreamOfflineError ? 'offline' : 'unreadable',
    problems: [reason],
    error: reason,
  };
}

/** A record of `name` that holds nothing and has no finding yet: up, empty, no limits. */
export function emptyHealth(name: string): StreamHealth {
  return {
    name,
    healthy: true,
    status: 'up',
    problems: [],
    warnings: [],
    subjects: [],
    messages: 0,
    bytes: 0,
    first_seq: 0,
    last_seq: 0,
    consumer_count: 0,
    usage: {},
    limits: {},
  };
}
