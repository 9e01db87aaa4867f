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

    expect(history.toJSON()).toEqual({
      capacity: 10,
      t: [1_000, 3_000, 5_000],
      streams: { orders: { messages: [0, 10, 30], bytes: [0, 1_000, 3_000], rate: [null, 5, 10] } },
    });
  });

  it('measures the rate from the last sequence, so messages removed by limits do not hide publishes', () => {
    const history = new StreamHistory(10, 10);
    history.record(0, [s('capped', 100, 500)]);
    const point = history.record(1_000, [s('capped', 100, 540)]);

    expect(point).toEqual({ t: 1_000, streams: { capped: [100, 10_000, 40] } });
  });

  it('holds at most `capacity` samples, dropping the oldest', () => {
    const history = new StreamHistory(3, 10);
    for (let i = 0; i < 5; i++) history.record(i * 1_000, [s('orders', i)]);

    const data = history.toJSON();
    expect(data.t).toEqual([2_000, 3_000, 4_000]);
    expect(data.streams.orders.messages).toEqual([2, 3, 4]);
    expect(data.streams.orders.rate).toEqual([1, 1, 1]);
  });

  it('records a gap for every stream when the server could not be read, and no rate across it', () => {
    const history = new StreamHistory(10, 10);
    history.record(0, [s('orders', 5)]);
    const gap = history.record(1_000, null);
    history.record(2_000, [s('orders', 9)]);

    expect(gap).toEqual({ t: 1_000, streams: { orders: [null, null, null] } });
    expect(history.toJSON().streams.orders).toEqual({ messages: [5, null, 9], bytes: [500, null, 900], rate: [null, null, null] });
  });

  it('forgets a stream absent for a whole window', () => {
    const history = new StreamHistory(3, 10);
    history.record(0, [s('gone', 1), s('kept', 1)]);
    history.record(1_000, [s('kept', 2)]);
    history.record(2_000, [s('kept', 3)]);
    expect(Object.keys(history.toJSON().streams).sort()).toEqual(['gone', 'kept']);

    history.record(3_000, [s('kept', 4)]);

    expect(Object.keys(history.toJSON().streams)).toEqual(['kept']);
  });

  it('tracks at most `maxStreams` streams', () => {
    const history = new StreamHistory(5, 2);

    const point = history.record(0, [s('a', 1), s('b', 1), s('c', 1)]);

    expect(Object.keys(point.streams)).toEqual(['a', 'b']);
  });

  it('starts empty and refuses a capacity it cannot chart', () => {
    expect(new StreamHistory(2, 1).toJSON()).toEqual({ capacity: 2, t: [], streams: {} });
    expect(() => new StreamHistory(1, 1)).toThrow(RangeError);
    expect(() => new StreamHistory(10, 0)).toThrow(RangeError);
  });
});
