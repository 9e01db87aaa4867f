import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { StreamOfflineError } from '../errors/stream-offline.error.js';
import type { ServerStreamInfo as StreamInfo } from '../server/server-stream.js';
import type { ServerConsumerInfo } from '../server/server-consumer.js';
import type { HealthOptions } from '../streams.options.js';
import { ServerVersion } from '../server/server-version.js';
import { normalizeStreamConfig } from '../declaration/stream-config.js';
import { emptyHealth, toStreamHealth, type HealthContext } from './stream-health.js';

const declared = normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_msgs: 100, max_bytes: 1_000 });

/** A stream info as the server reports it: the declared config, `state` and `extra` overriding. */
function info(extra: { config?: Record<string, unknown>; state?: Record<string, unknown>; cluster?: unknown } = {}): StreamInfo {
  return {
    config: { ...declared.config, ...extra.config },
    state: { messages: 0, bytes: 0, first_seq: 0, last_seq: 0, consumer_count: 0, ...extra.state },
    created: '2024-01-01T00:00:00Z',
    ts: '2024-01-01T00:00:00Z',
    ...(extra.cluster ? { cluster: extra.cluster } : {}),
  } as unknown as StreamInfo;
}

function context(health: HealthOptions = {}, withDeclaration = true): HealthContext {
  return {
    declared: withDeclaration ? declared : undefined,
    version: ServerVersion.parse('2.10.0'),
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

const replica = (name: string, state: { current?: boolean; offline?: boolean; lag?: number; active?: number } = {}) => ({
  name,
  current: state.current ?? true,
  offline: state.offline ?? false,
  active: state.active ?? 5_000_000,
  lag: state.lag ?? 0,
});
const r3 = { num_replicas: 3 };

describe('toStreamHealth', () => {
  it('reports state and an empty problem list for a stream that matches its declaration', () => {
    const health = toStreamHealth(info({ state: { messages: 5, bytes: 200, first_seq: 3, last_seq: 7, consumer_count: 2 } }), context());

    expect(health).toEqual({
      name: 'orders',
      healthy: true,
      status: 'up',
      problems: [],
      warnings: [],
      subjects: ['orders.>'],
      messages: 5,
      bytes: 200,
      first_seq: 3,
      last_seq: 7,
      consumer_count: 2,
      usage: { messages: 0.05, bytes: 0.2 },
      limits: { messages: 100, bytes: 1_000 },
      drift: [],
    });
  });

  it('leaves out the usage of limits that are not set, and drift for undeclared streams', () => {
    const health = toStreamHealth(info({ config: { max_msgs: -1, max_bytes: -1 }, state: { messages: 10 } }), context({}, false));

    expect(health.usage).toEqual({});
    expect(health.drift).toBeUndefined();
    expect(health.status).toBe('up');
  });

  it.each([
    ['messages', { messages: 90, bytes: 10 }, 'messages at 90% of the limit (threshold 90%)'],
    ['bytes', { messages: 1, bytes: 950 }, 'bytes at 95% of the limit (threshold 90%)'],
  ])('is down when %s usage of a discard-new stream reaches the threshold', (_kind, state, problem) => {
    const health = toStreamHealth(info({ config: { discard: 'new' }, state }), context({}, false));

    expect(health).toMatchObject({ healthy: false, status: 'down', reason: 'usage', problems: [problem], warnings: [] });
  });

  it('only warns for a discard-old stream over the threshold: it drops old messages by design', () => {
    const health = toStreamHealth(info({ state: { messages: 100, bytes: 10 } }), context());

    expect(health).toMatchObject({
      healthy: true,
      status: 'up',
      reason: 'usage',
      problems: [],
      warnings: ['messages at 100% of the limit (threshold 90%)'],
    });
  });

  it('stays up just under the threshold, and honours a configured threshold', () => {
    const discardNew = { discard: 'new' };

    expect(toStreamHealth(info({ config: discardNew, state: { messages: 79 } }), context({ usageThreshold: 0.8 }, false)).status).toBe(
      'up',
    );
    expect(toStreamHealth(info({ config: discardNew, state: { messages: 80 } }), context({ usageThreshold: 0.8 }, false))).toMatchObject({
      status: 'down',
      usage: { messages: 0.8 },
    });
  });

  it('is down with the drifted fields named when the server config differs from the declaration', () => {
    const health = toStreamHealth(info({ config: { max_msgs: 5_000, discard: 'new' } }), context());

    expect(health.status).toBe('down');
    expect(health.drift).toEqual([
      { field: 'max_msgs', current: 5_000, desired: 100 },
      { field: 'discard', current: 'new', desired: 'old' },
    ]);
    expect(health.problems).toEqual(['drifted from its declaration: max_msgs, discard']);
    expect(health.reason).toBe('drifted');
  });

  it("carries each declared consumer's record; a consumer's problem is the stream's, its drift a warning with health.drift 'warn'", () => {
    const withConsumers = normalizeStreamConfig({
      name: 'orders',
      subjects: ['orders.>'],
      max_msgs: 100,
      max_bytes: 1_000,
      consumers: [{ durable_name: 'a' }, { durable_name: 'b' }],
    });
    const a = withConsumers.consumers![0];
    const record = {
      name: 'a',
      config: { ...a.config, max_deliver: 3 },
      num_pending: 4,
      num_ack_pending: 1,
      num_redelivered: 0,
    } as ServerConsumerInfo;
    const listed = new Map([['a', record]]);

    const down = toStreamHealth(info(), { ...context(), declared: withConsumers, consumers: listed });
    const warned = toStreamHealth(info(), { ...context({ drift: 'warn' }), declared: withConsumers, consumers: listed });

    expect(down).toMatchObject({ healthy: false, status: 'down', reason: 'consumer-drifted' });
    expect(down.problems).toEqual(['consumer "a": drifted from its declaration: max_deliver', 'consumer "b": consumer not found']);
    expect(down.consumers?.a).toMatchObject({ exists: true, pending: 4, ackPending: 1, reason: 'drifted' });
    expect(warned).toMatchObject({
      reason: 'consumer-not-found',
      problems: ['consumer "b": consumer not found'],
      warnings: ['consumer "a": drifted from its declaration: max_deliver'],
    });
    expect(toStreamHealth(info(), context()).consumers).toBeUndefined();
  });

  it("keeps a drifted stream up with the drift as a warning when health.drift is 'warn'", () => {
    const health = toStreamHealth(info({ config: { max_msgs: 5_000 } }), context({ drift: 'warn' }));

    expect(health).toMatchObject({
      healthy: true,
      status: 'up',
      reason: 'drifted',
      problems: [],
      warnings: ['drifted from its declaration: max_msgs'],
    });
    expect(health.drift).toEqual([{ field: 'max_msgs', current: 5_000, desired: 100 }]);
  });

  describe('cluster replicas', () => {
    it('is up with a leader and every replica current', () => {
      const cluster = { name: 'c', leader: 'n1', replicas: [replica('n2'), replica('n3')] };

      const health = toStreamHealth(info({ config: r3, cluster }), context({}, false));

      expect(health).toMatchObject({ healthy: true, status: 'up', problems: [] });
      expect(health.cluster).toEqual({
        name: 'c',
        leader: 'n1',
        replicas: [
          { name: 'n2', state: 'current', lag: 0, activeMs: 5 },
          { name: 'n3', state: 'current', lag: 0, activeMs: 5 },
        ],
      });
    });

    it.each([
      ['lagging', [replica('n2', { current: false, lag: 40 }), replica('n3')], 'replicas not current: n2 lagging'],
      ['offline', [replica('n2'), replica('n3', { current: false, offline: true })], 'replicas not current: n3 offline'],
      ['missing', [replica('n2')], 'replicas not current: 1 missing'],
      // nats-server seldom sets offline: a replica unseen for 5 s or more is offline.
      ['unseen', [replica('n2'), replica('n3', { current: false, lag: 3, active: 6_000_000_000 })], 'replicas not current: n3 offline'],
    ])('a %s replica is degraded, up by default and down with degradedReplicas "down"', (_case, replicas, problem) => {
      const stream = info({ config: r3, cluster: { leader: 'n1', replicas } });

      const lenient = toStreamHealth(stream, context({}, false));
      const strict = toStreamHealth(stream, context({ degradedReplicas: 'down' }, false));

      expect(lenient).toMatchObject({ healthy: true, status: 'degraded', reason: 'replicas', problems: [problem] });
      expect(strict).toMatchObject({ healthy: false, status: 'degraded', problems: [problem] });
    });

    it('reports the lag of a lagging replica', () => {
      const cluster = { leader: 'n1', replicas: [replica('n2', { current: false, lag: 40 }), replica('n3')] };

      expect(toStreamHealth(info({ config: r3, cluster }), context({}, false)).cluster?.replicas[0]).toMatchObject({
        state: 'lagging',
        lag: 40,
      });
    });

    it('is down without a leader, whatever the replicas say', () => {
      const cluster = { replicas: [replica('n2'), replica('n3')] };

      const health = toStreamHealth(info({ config: r3, cluster }), context({}, false));

      expect(health).toMatchObject({ healthy: false, status: 'down', reason: 'no-leader', problems: ['no leader'] });
    });

    it('is down, not degraded, when a lagging replica comes with another problem', () => {
      const cluster = { leader: 'n1', replicas: [replica('n2', { current: false }), replica('n3')] };

      const health = toStreamHealth(info({ config: { ...r3, discard: 'new' }, cluster, state: { messages: 95 } }), context({}, false));

      expect(health.status).toBe('down');
      expect(health.healthy).toBe(false);
      expect(health.problems).toHaveLength(2);
    });

    it('ignores cluster info of a single-replica stream', () => {
      const health = toStreamHealth(info({ cluster: { name: 'c', leader: 'n1' } }), context({}, false));

      expect(health.cluster).toBeUndefined();
      expect(health.status).toBe('up');
    });
  });

  describe('a stream that cannot be read', () => {
    it("is a down record with reason 'offline' for a stream the server has offline", () => {
      const health = toStreamHealth(new StreamOfflineError('orders', 'stopped - unsupported consumer "c"'), context(), 'orders');

      expect(health).toMatchObject({
        healthy: false,
        status: 'down',
        reason: 'offline',
        problems: [expect.stringMatching(/is offline on the server/)],
      });
    });

    it('is a down record with "stream not found" for a missing stream', () => {
      const health = toStreamHealth(new StreamNotFoundError('orders'), context(), 'orders');

      expect(health).toEqual({
        ...emptyHealth('orders'),
        healthy: false,
        status: 'down',
        reason: 'not-found',
        problems: ['stream not found'],
        error: 'stream not found',
      });
      expect(emptyHealth('orders')).toMatchObject({
        messages: 0,
        bytes: 0,
        first_seq: 0,
        last_seq: 0,
        consumer_count: 0,
        usage: {},
        limits: {},
      });
    });

    it('carries the message of any other error', () => {
      const health = toStreamHealth(new Error('timed out after 5000 ms'), context(), 'orders');

      expect(health).toMatchObject({
        name: 'orders',
        healthy: false,
        status: 'down',
        reason: 'unreadable',
        error: 'timed out after 5000 ms',
      });
    });

    it('takes the name from a StreamNotFoundError when none is given', () => {
      expect(toStreamHealth(new StreamNotFoundError('payments'), context()).name).toBe('payments');
    });
  });
});
