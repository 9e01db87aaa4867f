import { emptyHealth, type StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { streamPoints, unreadablePoints, type MetricPoint } from './metric-points.js';

function health(name: string, extra: Partial<StreamHealth> = {}): StreamHealth {
  return { ...emptyHealth(name), subjects: [`${name}.>`], ...extra };
}

function snapshot(...streams: StreamHealth[]): StreamsSnapshot {
  return { at: '2024-01-01T00:00:00.000Z', healthy: true, streams: Object.fromEntries(streams.map((s) => [s.name, s])) };
}

/** The points of one gauge as `attributes -> value`, attributes without connection and stream. */
function of(points: MetricPoint[], gauge: MetricPoint['gauge'], stream = 'orders'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of points.filter((x) => x.gauge === gauge && x.attributes['nats.jetstream.stream.name'] === stream)) {
    const { 'nats.connection.name': _c, 'nats.jetstream.stream.name': _s, ...rest } = p.attributes;
    out[JSON.stringify(rest)] = p.value;
  }
  return out;
}

describe('streamPoints', () => {
  it('reports counts, usage of each configured limit, and up with its state and reason', () => {
    const points = streamPoints(
      snapshot(health('orders', { messages: 40, bytes: 4_096, consumer_count: 2, usage: { messages: 0.4, bytes: 0.004 } })),
      'eu',
    );

    expect(of(points, 'streamMessages')).toEqual({ '{}': 40 });
    expect(of(points, 'streamBytes')).toEqual({ '{}': 4_096 });
    expect(of(points, 'streamConsumers')).toEqual({ '{}': 2 });
    expect(of(points, 'streamUsage')).toEqual({ '{"nats.jetstream.limit":"messages"}': 0.4, '{"nats.jetstream.limit":"bytes"}': 0.004 });
    expect(of(points, 'streamUp')).toEqual({ '{}': 1 });
    expect(of(points, 'streamStatus')).toEqual({ '{"nats.jetstream.stream.state":"up","nats.jetstream.stream.reason":"none"}': 1 });
    expect(points.every((p) => p.attributes['nats.connection.name'] === 'eu')).toBe(true);
  });

  it('reports a stream down with its machine-readable reason', () => {
    const points = streamPoints(snapshot(health('orders', { healthy: false, status: 'down', reason: 'drifted' })), 'default');

    expect(of(points, 'streamUp')).toEqual({ '{}': 0 });
    expect(of(points, 'streamStatus')).toEqual({ '{"nats.jetstream.stream.state":"down","nats.jetstream.stream.reason":"drifted"}': 1 });
  });

  it('counts replicas by state, the leader as current, for clustered streams only', () => {
    const cluster = {
      leader: 'n1',
      replicas: [
        { name: 'n2', state: 'current' as const, lag: 0, activeMs: 1 },
        { name: 'n3', state: 'lagging' as const, lag: 9, activeMs: 1 },
      ],
    };
    const points = streamPoints(snapshot(health('orders', { cluster }), health('single')), 'default');

    expect(of(points, 'streamReplicas')).toEqual({
      '{"nats.jetstream.replica.state":"current"}': 2,
      '{"nats.jetstream.replica.state":"lagging"}': 1,
      '{"nats.jetstream.replica.state":"offline"}': 0,
    });
    expect(of(points, 'streamReplicas', 'single')).toEqual({});
  });

  it("reports each declared consumer's pending, ack pending and redelivered counts", () => {
    const consumer = { name: 'billing', healthy: true, exists: true, problems: [], pending: 7, ackPending: 3, redelivered: 1 };
    const points = streamPoints(snapshot(health('orders', { consumers: { billing: consumer } })), 'default');

    const billing = '{"nats.jetstream.consumer.name":"billing"}';
    expect(of(points, 'consumerPending')).toEqual({ [billing]: 7 });
    expect(of(points, 'consumerAckPending')).toEqual({ [billing]: 3 });
    expect(of(points, 'consumerRedelivered')).toEqual({ [billing]: 1 });
  });

  it('reports no counts for a stream that could not be read, only that it is down', () => {
    const points = streamPoints(
      snapshot(health('orders', { healthy: false, status: 'down', reason: 'unreadable', messages: 0 })),
      'default',
    );

    expect(points.map((p) => p.gauge).sort()).toEqual(['streamStatus', 'streamUp']);
  });
});

describe('unreadablePoints', () => {
  it('reports every named stream down with reason unreadable, and no counts', () => {
    const points = unreadablePoints(['orders', 'payments'], 'default');

    expect(points.map((p) => p.gauge).sort()).toEqual(['streamStatus', 'streamStatus', 'streamUp', 'streamUp']);
    expect(of(points, 'streamStatus', 'payments')).toEqual({
      '{"nats.jetstream.stream.state":"down","nats.jetstream.stream.reason":"unreadable"}': 1,
    });
  });
});
