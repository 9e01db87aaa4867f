import { emptyHealth, type StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { buildView, emptyView, type ViewContext } from './dashboard-view.js';

function health(name: string, extra: Partial<StreamHealth> = {}): StreamHealth {
  return { ...emptyHealth(name), subjects: [`${name}.>`], ...extra };
}

const snapshot = (at: string, ...streams: StreamHealth[]): StreamsSnapshot => ({
  at,
  healthy: true,
  streams: Object.fromEntries(streams.map((s) => [s.name, s])),
});

const context = (declared: ViewContext['declared'] = () => false): ViewContext => ({
  connection: { name: 'default', status: 'connected', servers: ['nats://***@127.0.0.1:4222'] },
  intervalMs: 5_000,
  declared,
});

describe('buildView', () => {
  it('lists streams by name with their counts, reason, warnings and drift values', () => {
    const view = buildView(
      snapshot(
        '2024-01-01T10:00:00.000Z',
        health('orders', { messages: 40, bytes: 4_096, consumer_count: 2, warnings: ['bytes at 95% of the limit'] }),
        health('audit', {
          healthy: false,
          status: 'down',
          reason: 'drifted',
          problems: ['drifted from its declaration: max_msgs'],
          drift: [{ field: 'max_msgs', current: 5, desired: 1_000 }],
        }),
      ),
      undefined,
      context(),
    );

    expect(view.stale).toBe(false);
    expect(view.lastGoodAt).toBe('2024-01-01T10:00:00.000Z');
    expect(view.streams.map((s) => s.name)).toEqual(['audit', 'orders']);
    expect(view.streams[0]).toMatchObject({
      status: 'down',
      reason: 'drifted',
      drift: [{ field: 'max_msgs', current: 5, desired: 1_000 }],
    });
    expect(view.streams[1]).toMatchObject({ messages: 40, bytes: 4_096, consumerCount: 2, warnings: ['bytes at 95% of the limit'] });
  });

  it("gives each limit's usage and value, and leaves out limits that are not set", () => {
    const view = buildView(
      snapshot(
        '2024-01-01T10:00:00.000Z',
        health('full', {
          messages: 250,
          bytes: 262_144,
          usage: { messages: 0.25, bytes: 0.25 },
          limits: { messages: 1_000, bytes: 1_048_576 },
        }),
        health('unlimited', { messages: 7 }),
      ),
      undefined,
      context((name) => name === 'full'),
    );
    const byName = Object.fromEntries(view.streams.map((s) => [s.name, s]));

    expect(byName.full.limits).toEqual([
      { kind: 'messages', usage: 0.25, limit: 1_000 },
      { kind: 'bytes', usage: 0.25, limit: 1_048_576 },
    ]);
    expect(byName.unlimited.limits).toEqual([]);
    expect([byName.full.declared, byName.unlimited.declared]).toEqual([true, false]);
  });

  it('keeps the last good streams when a snapshot could not be read, marked stale with their time', () => {
    const good = buildView(snapshot('2024-01-01T10:00:00.000Z', health('orders', { messages: 7 })), undefined, context());

    const failed: StreamsSnapshot = {
      at: '2024-01-01T10:00:05.000Z',
      healthy: false,
      error: 'NATS is not connected (reconnecting)',
      streams: {},
    };
    const stale = buildView(failed, good, context());

    expect(stale).toMatchObject({
      stale: true,
      at: '2024-01-01T10:00:05.000Z',
      lastGoodAt: '2024-01-01T10:00:00.000Z',
      error: 'NATS is not connected (reconnecting)',
    });
    expect(stale.streams).toBe(good.streams);
    expect(buildView(failed, undefined, context())).toMatchObject({ stale: true, streams: [] });
    expect(buildView(failed, undefined, context()).lastGoodAt).toBeUndefined();
  });

  it('redacts credentials from every text and server address, and copies no other field', () => {
    const leaky = health('orders', {
      problems: ['cannot reach nats://admin:hunter2@10.0.0.1:4222'],
      error: 'nats://admin:hunter2@10.0.0.1:4222 refused',
    });
    (leaky as unknown as Record<string, unknown>).secret = 'hunter2';
    const ctx = context();
    ctx.connection = { ...ctx.connection, servers: ['nats://admin:hunter2@10.0.0.1:4222'] };

    const view = buildView(snapshot('2024-01-01T10:00:00.000Z', leaky), undefined, ctx);
    const failed = buildView({ at: 'x', healthy: false, error: 'timeout at nats://admin:hunter2@10.0.0.1:4222', streams: {} }, view, ctx);

    expect(JSON.stringify([view, failed])).not.toMatch(/hunter2|admin/);
    expect(view.streams[0].problems).toEqual(['cannot reach nats://***@10.0.0.1:4222']);
  });

  it('starts empty, before the first snapshot', () => {
    expect(emptyView(context())).toEqual({
      connection: { name: 'default', status: 'connected', servers: ['nats://***@127.0.0.1:4222'] },
      intervalMs: 5_000,
      stale: false,
      streams: [],
    });
  });
});
