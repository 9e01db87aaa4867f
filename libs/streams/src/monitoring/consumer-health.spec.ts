import { normalizeStreamConfig } from '../declaration/stream-config.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { ServerVersion } from '../server/server-version.js';
import { consumerHealth } from './consumer-health.js';
import type { HealthContext } from './stream-health.js';

const declared = normalizeStreamConfig({ name: 'S', subjects: ['s.>'], consumers: [{ durable_name: 'c', max_deliver: 5 }] });
const consumer = declared.consumers![0];

function context(health: Partial<HealthContext['thresholds']> = {}): HealthContext {
  return {
    declared,
    version: ServerVersion.parse('2.15.1'),
    thresholds: {
      usageThreshold: 0.9,
      degradedReplicas: 'up',
      rttTimeoutMs: 2_000,
      timeoutMs: 2_000,
      drift: 'down',
      details: 'compact',
      consumerLag: 0,
      consumerAckPending: 0,
      ...health,
    },
  };
}

function listed(
  counts: { pending?: number; ackPending?: number; redelivered?: number } = {},
  config = consumer.config,
): Map<string, ServerConsumerInfo> {
  const info = {
    name: 'c',
    config,
    num_pending: counts.pending ?? 0,
    num_ack_pending: counts.ackPending ?? 0,
    num_redelivered: counts.redelivered ?? 0,
  } as ServerConsumerInfo;
  return new Map([['c', info]]);
}

describe('consumerHealth', () => {
  it('reports lag, pending acks and redeliveries; healthy without thresholds', () => {
    expect(consumerHealth(consumer, listed({ pending: 50, ackPending: 7, redelivered: 2 }), context(), 1)).toEqual({
      name: 'c',
      healthy: true,
      exists: true,
      problems: [],
      pending: 50,
      ackPending: 7,
      redelivered: 2,
    });
  });

  it('turns a lag or pending acks at their threshold into a problem with a machine-readable reason', () => {
    const lagging = consumerHealth(
      consumer,
      listed({ pending: 10, ackPending: 3 }),
      context({ consumerLag: 10, consumerAckPending: 3 }),
      1,
    );

    expect(lagging).toMatchObject({ healthy: false, reason: 'lag' });
    expect(lagging.problems).toEqual(['10 messages not yet delivered (threshold 10)', '3 messages awaiting acknowledgement (threshold 3)']);
    expect(consumerHealth(consumer, listed({ pending: 9 }), context({ consumerLag: 10 }), 1).healthy).toBe(true);
  });

  it('reports a missing consumer, one whose stream could not be listed, and a drift (a warning with health.drift "warn")', () => {
    expect(consumerHealth(consumer, new Map(), context(), 1)).toMatchObject({ healthy: false, exists: false, reason: 'not-found' });
    expect(consumerHealth(consumer, new Error('timeout'), context(), 1)).toMatchObject({
      healthy: false,
      reason: 'unreadable',
      problems: ['consumers could not be listed: timeout'],
    });
    const changed = listed({}, { ...consumer.config, max_deliver: 9 });
    expect(consumerHealth(consumer, changed, context(), 1)).toMatchObject({
      healthy: false,
      reason: 'drifted',
      drift: [{ field: 'max_deliver', current: 9, desired: 5 }],
    });
    expect(consumerHealth(consumer, changed, context({ drift: 'warn' }), 1)).toMatchObject({
      healthy: true,
      reason: 'drifted',
      problems: [],
    });
  });
});
