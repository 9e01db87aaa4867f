import { emptyHealth, type StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { PageState } from './browser/page-state.js';
import type { ViewContext } from './dashboard-view.js';
import type { FeedEvent, InitEvent, TickEvent } from './feed-protocol.js';
import { FeedState } from './feed-state.js';
import { StreamHistory } from './stream-history.js';

const context = (connected = true): ViewContext => ({
  connection: { name: 'default', status: connected ? 'connected' : 'reconnecting', connected, servers: ['nats://127.0.0.1:4222'] },
  intervalMs: 1_000,
  declared: () => false,
  declaredNames: () => [],
});

function health(name: string, messages: number, lastSeq = messages): StreamHealth {
  return { ...emptyHealth(name), subjects: [`${name}.>`], messages, bytes: messages * 10, last_seq: lastSeq } as StreamHealth;
}

function snapshot(second: number, ...streams: StreamHealth[]): StreamsSnapshot {
  return { at: new Date(second * 1_000).toISOString(), healthy: true, streams: Object.fromEntries(streams.map((s) => [s.name, s])) };
}

const tick = (text: string) => JSON.parse(text) as TickEvent;

describe('FeedState', () => {
  it('sends, after the first event, only the streams whose view changed and those removed', () => {
    const state = new FeedState(new StreamHistory(10, 10), context());
    const quiet = health('quiet', 3);
    state.take(snapshot(0, quiet, health('busy', 1), health('gone', 1)), context());

    const event = tick(state.take(snapshot(1, quiet, health('busy', 2)), context()));

    expect(event.changed.map((v) => v.name)).toEqual(['busy']);
    expect(event.removed).toEqual(['gone']);
    expect(Object.keys(event.point!.streams)).toEqual(['busy', 'gone']);
  });

  it('compares views by value: a new record of an unchanged stream sends nothing', () => {
    const state = new FeedState(new StreamHistory(10, 10), context());
    state.take(snapshot(0, health('orders', 5)), context());

    expect(tick(state.take(snapshot(1, health('orders', 5)), context())).changed).toEqual([]);
  });

  it('keeps the views while the streams are stale, and says so once when the connection is lost', () => {
    const state = new FeedState(new StreamHistory(10, 10), context());
    state.take(snapshot(0, health('orders', 5)), context());

    const lost = tick(state.lose(context(false))!);
    const again = state.lose(context(false));
    const failed = tick(state.take({ at: new Date(2_000).toISOString(), healthy: false, error: 'timeout', streams: {} }, context(false)));

    expect(lost).toMatchObject({ changed: [], removed: [], header: { stale: true, health: { up: false } } });
    expect(lost.point).toBeUndefined();
    expect(again).toBeUndefined();
    expect(failed).toMatchObject({ changed: [], removed: [], point: { streams: { orders: [null, null, null] } } });
    expect((JSON.parse(state.init()) as InitEvent).streams.map((s) => s.name)).toEqual(['orders']);
  });

  it('makes the first event once per change, the same text for every page', () => {
    const state = new FeedState(new StreamHistory(10, 10), context());
    state.take(snapshot(0, health('orders', 5)), context());

    const first = state.init();

    expect(state.init()).toBe(first);
    state.take(snapshot(1, health('orders', 6)), context());
    expect(state.init()).not.toBe(first);
  });

  it('lets a page rebuild exactly the server’s views and histories from the first event and the deltas', () => {
    const server = new StreamHistory(8, 4);
    const state = new FeedState(server, context());
    const page = new PageState();
    const seq = { a: 0, b: 0, d: 0 };
    // Publishes now and then, a stream that goes long enough to be forgotten and comes back, a gap.
    const at = (s: number): StreamsSnapshot => {
      if (s % 3 === 0) seq.a += 7;
      if (s % 5 === 1) seq.b += 1;
      seq.d += 2;
      const streams = [health('a', Math.min(seq.a, 20), seq.a), health('b', seq.b), health('d', seq.d)];
      if (s % 20 < 4) streams.push(health('c', s));
      return snapshot(s, ...streams);
    };
    for (let s = 0; s < 6; s++) state.take(at(s), context());
    page.apply(JSON.parse(state.init()) as FeedEvent);
    for (const name of page.histories.keys()) page.setSeries(name, server.series(name)!);

    for (let s = 6; s < 40; s++) {
      const text =
        s === 20
          ? state.take({ at: new Date(s * 1_000).toISOString(), healthy: false, error: 'down', streams: {} }, context())
          : state.take(at(s), context());
      page.apply(JSON.parse(text) as FeedEvent);
    }

    const views = JSON.parse(state.init()) as InitEvent;
    expect(page.sorted()).toEqual([...views.streams].sort((x, y) => x.name.localeCompare(y.name)));
    expect([...page.histories.keys()].sort()).toEqual(Object.keys(views.history.streams).sort());
    for (const [name, history] of page.histories) {
      expect({ name, ...history }).toEqual({ name, ...server.series(name)!, complete: true });
    }
  });
});
