import { emptyHealth, type StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { streamView, viewHeader, type ViewContext } from './dashboard-view.js';

function health(name: string, extra: Partial<StreamHealth> = {}): StreamHealth {
  return { ...emptyHealth(name), subjects: [`${name}.>`], ...extra };
}

const snapshot = (at: string, ...streams: StreamHealth[]): StreamsSnapshot => ({
  at,
  healthy: streams.every((s) => s.healthy),
  streams: Object.fromEntries(streams.map((s) => [s.name, s])),
});

const context = (declared: string[] = [], connected = true): ViewContext => ({
  connection: { name: 'default', status: connected ? 'connected' : 'reconnecting', connected, servers: ['nats://***@127.0.0.1:4222'] },
  intervalMs: 5_000,
  declared: (name) => declared.includes(name),
  declaredNames: () => declared,
});

const down = (name: string) => health(name, { healthy: false, status: 'down', reason: 'drifted' });

describe('streamView', () => {
  it('copies counts, reason, warnings and drift values', () => {
    const view = streamView(
      health('audit', {
        healthy: false,
        status: 'down',
        reason: 'drifted',
        consumer_count: 2,
        warnings: ['bytes at 95% of the limit'],
        drift: [{ field: 'max_msgs', current: 5, desired: 1_000 }],
      }),
      context(['audit']),
    );

    expect(view).toMatchObject({
      status: 'down',
      reason: 'drifted',
      consumerCount: 2,
      declared: true,
      warnings: ['bytes at 95% of the limit'],
      drift: [{ field: 'max_msgs', current: 5, desired: 1_000 }],
    });
  });

  it("gives each limit's usage and value, and leaves out limits that are not set", () => {
    const full = health('full', { usage: { messages: 0.25, bytes: 0.25 }, limits: { messages: 1_000, bytes: 1_048_576 } });

    expect(streamView(full, context()).limits).toEqual([
      { kind: 'messages', usage: 0.25, limit: 1_000 },
      { kind: 'bytes', usage: 0.25, limit: 1_048_576 },
    ]);
    expect(streamView(health('unlimited'), context()).limits).toEqual([]);
  });

  it('redacts credentials from every text, and copies no other field', () => {
    const leaky = health('orders', {
      problems: ['cannot reach nats://admin:hunter2@10.0.0.1:4222'],
      error: 'nats://admin:hunter2@10.0.0.1:4222 refused',
    });
    (leaky as unknown as Record<string, unknown>).secret = 'hunter2';

    const view = streamView(leaky, context());

    expect(JSON.stringify(view)).not.toMatch(/hunter2|admin/);
    expect(view.problems).toEqual(['cannot reach nats://***@10.0.0.1:4222']);
  });
});

describe('viewHeader', () => {
  it('says up as /health does: the declared streams healthy, others not counted', () => {
    const header = viewHeader(snapshot('2024-01-01T10:00:00.000Z', health('orders'), down('scratch')), undefined, context(['orders']));

    expect(header).toMatchObject({
      stale: false,
      at: '2024-01-01T10:00:00.000Z',
      lastGoodAt: '2024-01-01T10:00:00.000Z',
      health: { up: true },
    });
  });

  it('checks every stream when none is declared, and names the failing ones as /health does, the first five', () => {
    const streams = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(down);

    const header = viewHeader(snapshot('2024-01-01T10:00:00.000Z', health('ok'), ...streams), undefined, context());

    expect(header.health).toEqual({ up: false, reason: 'streams down: a, b, c, d, e and 2 more' });
  });

  it('is down and stale, keeping the last good time, when the snapshot could not be read', () => {
    const good = viewHeader(snapshot('2024-01-01T10:00:00.000Z', health('orders')), undefined, context());
    const failed: StreamsSnapshot = {
      at: '2024-01-01T10:00:05.000Z',
      healthy: false,
      error: 'timeout at nats://admin:hunter2@h:4222',
      streams: {},
    };

    const header = viewHeader(failed, good, context());

    expect(header).toMatchObject({
      stale: true,
      at: '2024-01-01T10:00:05.000Z',
      lastGoodAt: '2024-01-01T10:00:00.000Z',
      error: 'timeout at nats://***@h:4222',
      health: { up: false, reason: 'timeout at nats://***@h:4222' },
    });
  });

  it('is down and stale while NATS is not connected, even with a readable snapshot', () => {
    const header = viewHeader(snapshot('2024-01-01T10:00:00.000Z', health('orders')), undefined, context([], false));

    expect(header).toMatchObject({ stale: true, health: { up: false, reason: 'NATS is not connected (reconnecting)' } });
  });

  it('before the first snapshot, says there is none yet', () => {
    expect(viewHeader(undefined, undefined, context())).toEqual({
      connection: { name: 'default', status: 'connected', servers: ['nats://***@127.0.0.1:4222'] },
      intervalMs: 5_000,
      stale: false,
      health: { up: false, reason: 'no snapshot yet' },
    });
  });
});
