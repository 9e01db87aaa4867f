import type { Attributes } from '@opentelemetry/api';
import type { StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { ATTR, type INSTRUMENTS } from './instruments.js';

/** The instruments whose values are observed at collection (gauges). */
export type GaugeKey = {
  [K in keyof typeof INSTRUMENTS]: (typeof INSTRUMENTS)[K]['kind'] extends 'gauge' ? K : never;
}[keyof typeof INSTRUMENTS];

/** One value of one gauge. */
export interface MetricPoint {
  gauge: GaugeKey;
  value: number;
  attributes: Attributes;
}

/** The gauges a readable snapshot reports. */
export const STREAM_GAUGES: readonly GaugeKey[] = [
  'streamMessages',
  'streamBytes',
  'streamUsage',
  'streamConsumers',
  'streamReplicas',
  'streamUp',
  'streamStatus',
  'consumerPending',
  'consumerAckPending',
  'consumerRedelivered',
];

/** The gauges an unreadable snapshot reports: the others keep their last values. */
export const UNREADABLE_GAUGES: readonly GaugeKey[] = ['streamUp', 'streamStatus'];

/** Every stream's points in a snapshot whose streams could be read. */
export function streamPoints(snapshot: StreamsSnapshot, connection: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const health of Object.values(snapshot.streams)) pointsOf(health, connection, points);
  return points;
}

/**
 * The points of streams that could not be read (the server did not answer): down, `unreadable`.
 * Their stored counts are not reported, so exporters keep their last known values.
 */
export function unreadablePoints(streams: Iterable<string>, connection: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const stream of streams) {
    const base = { [ATTR.connection]: connection, [ATTR.stream]: stream };
    points.push({ gauge: 'streamUp', value: 0, attributes: base });
    points.push({
      gauge: 'streamStatus',
      value: 1,
      attributes: { ...base, [ATTR.streamState]: 'down', [ATTR.streamReason]: 'unreadable' },
    });
  }
  return points;
}

function pointsOf(health: StreamHealth, connection: string, points: MetricPoint[]): void {
  const base = { [ATTR.connection]: connection, [ATTR.stream]: health.name };
  const add = (gauge: GaugeKey, value: number, extra?: Attributes) =>
    points.push({ gauge, value, attributes: extra ? { ...base, ...extra } : base });
  add('streamUp', health.healthy ? 1 : 0);
  add('streamStatus', 1, { [ATTR.streamState]: health.status, [ATTR.streamReason]: health.reason ?? 'none' });
  // A stream that could not be read has no counts: its last known ones stay.
  if (health.reason === 'unreadable') return;
  add('streamMessages', health.messages);
  add('streamBytes', health.bytes);
  add('streamConsumers', health.consumer_count);
  for (const [limit, fraction] of Object.entries(health.usage)) add('streamUsage', fraction, { [ATTR.limit]: limit });
  if (health.cluster) {
    const counts = { current: health.cluster.leader ? 1 : 0, lagging: 0, offline: 0 };
    for (const replica of health.cluster.replicas) counts[replica.state] += 1;
    for (const [state, count] of Object.entries(counts)) add('streamReplicas', count, { [ATTR.replicaState]: state });
  }
  for (const consumer of Object.values(health.consumers ?? {})) {
    const attributes = { [ATTR.consumer]: consumer.name };
    add('consumerPending', consumer.pending, attributes);
    add('consumerAckPending', consumer.ackPending, attributes);
    add('consumerRedelivered', consumer.redelivered, attributes);
  }
}
