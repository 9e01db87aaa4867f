import { StreamHistory, type HistoryInput } from './stream-history.js';

const s = (name: string, messages: number, last_seq = messages, bytes = messages * 100): HistoryInput => ({
  name,
  messages,
  bytes,
  last_seq,
});

describe('StreamHistory', () => {
  it('keeps messages, bytes and the publish rate per sample, oldest first', () => {
    const history = new StreamHistory(10, 10);
    history.record(1_000, [s('orders', 0)]);
    history.record(3_000, [s('orders', 10)]);
    history.record(5_000, [s('orders', 30)]);

    expect(history.series('orders')).toEqual({
      capacity: 10,
      t: [1_000, 3_000, 5_000],
      messages: [0, 10, 30],
      bytes: [0, 1_000, 3_000],
      rate: [null, 5, 10],
    });
  });

  it('measures the rate from the last sequence, so messages removed by limits do not hide publishes', () => {
    const history = new StreamHistory(10, 10);
    history.record(0, [s('capped', 100, 500)]);
    const point = history.record(1_000, [s('capped', 100, 540)]);

    expect(point).toEqual({ t: 1_000, streams: { capped: [100, 10_000, 40] }, forgotten: [] });
  });

  it('leaves out of a point the streams whose sample is their previous one with nothing published', () => {
    const history = new StreamHistory(10, 10);
    history.record(0, [s('quiet', 5), s('busy', 5)]);
    history.record(1_000, [s('quiet', 5), s('busy', 5)]);

    const point = history.record(2_000, [s('quiet', 5), s('busy', 9)]);

    expect(point.streams).toEqual({ busy: [9, 900, 4] });
    expect(history.series('quiet')!.rate).toEqual([null, 0, 0]);
  });

  it('holds at most `capacity` samples, dropping the oldest', () => {
    const history = new StreamHistory(3, 10);
    for (let i = 0; i < 5; i++) history.record(i * 1_000, [s('orders', i)]);

    const series = history.series('orders')!;
    expect(series.t).toEqual([2_000, 3_000, 4_000]);
    expect(series.messages).toEqual([2, 3, 4]);
    expect(series.rate).toEqual([1, 1, 1]);
  });

  it('records a gap for every stream when the server could not be read, and no rate across it', () => {
    const history = new StreamHistory(10, 10);
    history.record(0, [s('orders', 5)]);
    const gap = history.record(1_000, null);
    const again = history.record(2_000, null);
    history.record(3_000, [s('orders', 9)]);

    expect(gap).toEqual({ t: 1_000, streams: { orders: [null, null, null] }, forgotten: [] });
    expect(again.streams).toEqual({});
    expect(history.series('orders')).toMatchObject({ messages: [5, null, null, 9], rate: [null, null, null, null] });
  });

  it('forgets a stream absent for a whole window, and says so', () => {
    const history = new StreamHistory(3, 10);
    history.record(0, [s('gone', 1), s('kept', 1)]);
    history.record(1_000, [s('kept', 2)]);
    history.record(2_000, [s('kept', 3)]);
    expect(history.series('gone')).toBeDefined();

    const point = history.record(3_000, [s('kept', 4)]);

    expect(point.forgotten).toEqual(['gone']);
    expect(history.series('gone')).toBeUndefined();
    expect(Object.keys(history.recent().streams)).toEqual(['kept']);
  });

  it('tracks at most `maxStreams` streams', () => {
    const history = new StreamHistory(5, 2);

    const point = history.record(0, [s('a', 1), s('b', 1), s('c', 1)]);

    expect(Object.keys(point.streams)).toEqual(['a', 'b']);
    expect(history.series('c')).toBeUndefined();
  });

  it('gives the recent samples: their times, each stream’s messages and latest rate', () => {
    const history = new StreamHistory(100, 10);
    for (let i = 0; i < 40; i++) history.record(i * 1_000, [s('orders', i * 2)]);

    const recent = history.recent();

    expect(recent.capacity).toBe(100);
    expect(recent.t).toHaveLength(30);
    expect(recent.t[0]).toBe(10_000);
    expect(recent.streams.orders.messages.slice(-2)).toEqual([76, 78]);
    expect(recent.streams.orders.rate).toBe(2);
  });

  it('starts empty and refuses a capacity it cannot chart', () => {
    expect(new StreamHistory(2, 1).recent()).toEqual({ capacity: 2, t: [], streams: {} });
    expect(() => new StreamHistory(1, 1)).toThrow(RangeError);
    expect(() => new StreamHistory(10, 0)).toThrow(RangeError);
  });
});
