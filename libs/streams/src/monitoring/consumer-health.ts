import type { DesiredConsumer } from '../declaration/consumer-config.js';
import { diffConsumerConfig } from '../declaration/consumer-diff.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import type { FieldChange } from '../declaration/field-table.js';
import type { ServerVersion } from '../server/server-version.js';
import type { HealthOptions } from '../streams.options.js';

/** A declared consumer's health, inside its stream's record. */
export interface ConsumerHealth {
  name: string;
  /** False when the consumer is missing, drifted (unless `health.drift` is `'warn'`), or at a threshold. */
  healthy: boolean;
  /** Whether the consumer exists on the server. */
  exists: boolean;
  /**
   * Machine-readable reason of the first problem (or, with none, of a drift reported as a
   * warning): `not-found`, `drifted`, `lag` (`num_pending` at `health.consumerLag`), `ack-pending`
   * (`num_ack_pending` at `health.consumerAckPending`), `unreadable` (the consumers could not be listed).
   */
  reason?: 'not-found' | 'drifted' | 'lag' | 'ack-pending' | 'unreadable';
  /** Why it is not healthy; empty when it is. */
  problems: string[];
  /** Fields that differ from its declaration, when any. */
  drift?: FieldChange[];
  /** Messages not yet delivered (`num_pending`). */
  pending: number;
  /** Messages delivered and not yet acknowledged (`num_ack_pending`). */
  ackPending: number;
  /** Messages delivered more than once (`num_redelivered`). */
  redelivered: number;
}

/**
 * A declared consumer's health record, from its stream's consumers as listed (or the error that
 * kept them from being listed): whether it exists, its lag (`num_pending`), pending acks and
 * redeliveries, drift from its declaration, and the `health.consumerLag` /
 * `health.consumerAckPending` thresholds (0 = off). A drift is a problem unless `health.drift` is
 * `'warn'` (then the consumer stays healthy, the drift reported as its reason).
 */
export function consumerHealth(
  declared: DesiredConsumer,
  listed: ReadonlyMap<string, ServerConsumerInfo> | Error,
  context: { version: ServerVersion; thresholds: Required<HealthOptions> },
  streamReplicas: number,
): ConsumerHealth {
  const base = { name: declared.name, pending: 0, ackPending: 0, redelivered: 0 };
  if (listed instanceof Error) {
    return { ...base, healthy: false, exists: false, reason: 'unreadable', problems: [`consumers could not be listed: ${listed.message}`] };
  }
  const info = listed.get(declared.name);
  if (!info) return { ...base, healthy: false, exists: false, reason: 'not-found', problems: ['consumer not found'] };
  const problems: Array<[NonNullable<ConsumerHealth['reason']>, string]> = [];
  const drift = diffConsumerConfig(declared.config, info.config, context.version, streamReplicas).changes;
  const driftIsProblem = drift.length > 0 && context.thresholds.drift === 'down';
  if (driftIsProblem) problems.push(['drifted', `drifted from its declaration: ${drift.map((d) => d.field).join(', ')}`]);
  const { consumerLag, consumerAckPending } = context.thresholds;
  if (consumerLag > 0 && info.num_pending >= consumerLag) {
    problems.push(['lag', `${info.num_pending} messages not yet delivered (threshold ${consumerLag})`]);
  }
  if (consumerAckPending > 0 && info.num_ack_pending >= consumerAckPending) {
    problems.push(['ack-pending', `${info.num_ack_pending} messages awaiting acknowledgement (threshold ${consumerAckPending})`]);
  }
  const reason = problems[0]?.[0] ?? (drift.length > 0 ? 'drifted' : undefined);
  return {
    name: declared.name,
    healthy: problems.length === 0,
    exists: true,
    ...(reason ? { reason } : {}),
    problems: problems.map(([, text]) => text),
    ...(drift.length > 0 ? { drift } : {}),
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
  };
}
