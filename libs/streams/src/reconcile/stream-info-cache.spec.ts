import type { StreamInfo } from 'nats';
import { StreamInfoCache } from './stream-info-cache.js';

/** A stream info whose message count tells answers apart. */
const info = (messages: number): StreamInfo => ({ config: { name: 'orders' }, state: { messages } }) as unknown as StreamInfo;

/** A load function whose answers the test releases by hand, counting how often it was called. */
function deferredLoads() {
  const pending: Array<(value: StreamInfo) => void> = [];
  const load = () => new Promise<StreamInfo>((resolve) => pending.push(resolve));
  return { load, pending, resolveNext: (value: StreamInfo) => pending.shift()?.(value) };
}

describe('StreamInfoCache', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('answers from the cache within the TTL and asks again after it', async () => {
    const cache = new StreamInfoCache(100, clock);
    let calls = 0;
    const load = async () => info(++calls);

    const first = await cache.get('orders', load);
    now += 99;
    const cached = await cache.get('orders', load);
    now += 1;
    const expired = await cache.get('orders', load);

    expect(first.state.messages).toBe(1);
    expect(cached.state.messages).toBe(1);
    expect(expired.state.messages).toBe(2);
  });

  it('shares one load among concurrent readers', async () => {
    const cache = new StreamInfoCache(100, clock);
    const loads = deferredLoads();

    const reads = [cache.get('orders', loads.load), cache.get('orders', loads.load), cache.get('orders', loads.load)];
    const started = loads.pending.length;
    loads.resolveNext(info(7));

    expect(started).toBe(1);
    expect((await Promise.all(reads)).map((i) => i.state.messages)).toEqual([7, 7, 7]);
  });

  it('keeps streams apart', async () => {
    const cache = new StreamInfoCache(100, clock);
    await cache.get('a', async () => info(1));
    expect((await cache.get('b', async () => info(2))).state.messages).toBe(2);
  });

  it('does not store the answer of a read that was in flight across an invalidation', async () => {
    const cache = new StreamInfoCache(100, clock);
    const loads = deferredLoads();

    const stale = cache.get('orders', loads.load);
    cache.delete('orders');
    const afterDelete = cache.get('orders', loads.load);
    loads.resolveNext(info(1));
    loads.resolveNext(info(2));

    expect((await stale).state.messages).toBe(1);
    expect((await afterDelete).state.messages).toBe(2);
    expect((await cache.get('orders', async () => info(3))).state.messages).toBe(2);
  });

  it('does not let a read in flight across a set overwrite what the write stored', async () => {
    const cache = new StreamInfoCache(100, clock);
    const loads = deferredLoads();

    const read = cache.get('orders', loads.load);
    cache.set('orders', info(10));
    loads.resolveNext(info(1));
    await read;

    expect((await cache.get('orders', async () => info(99))).state.messages).toBe(10);
  });

  it('asks again with fresh, and stores the fresh answer', async () => {
    const cache = new StreamInfoCache(100, clock);
    await cache.get('orders', async () => info(1));

    const fresh = await cache.get('orders', async () => info(2), true);
    const after = await cache.get('orders', async () => info(3));

    expect(fresh.state.messages).toBe(2);
    expect(after.state.messages).toBe(2);
  });

  it('forgets every stream on clear', async () => {
    const cache = new StreamInfoCache(100, clock);
    await cache.get('a', async () => info(1));
    await cache.get('b', async () => info(1));

    cache.clear();

    expect(cache.size).toBe(0);
    expect((await cache.get('a', async () => info(2))).state.messages).toBe(2);
  });

  it('does not cache a failed load', async () => {
    const cache = new StreamInfoCache(100, clock);
    await expect(cache.get('orders', async () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    expect((await cache.get('orders', async () => info(1))).state.messages).toBe(1);
  });

  it('drops the cached answer when a fresh read fails (e.g. the stream was deleted)', async () => {
    const cache = new StreamInfoCache(100, clock);
    await cache.get('orders', async () => info(1));

    await expect(cache.get('orders', async () => Promise.reject(new Error('stream not found')), true)).rejects.toThrow();

    expect(cache.peek('orders')).toBeUndefined();
  });

  it('does not let a list that started before a write overwrite what the write stored', async () => {
    const cache = new StreamInfoCache(100, clock);
    const mark = cache.mark();

    cache.set('orders', info(7));
    cache.storeIfUnchangedSince('orders', info(3), mark);
    cache.storeIfUnchangedSince('payments', { ...info(4), config: { name: 'payments' } } as StreamInfo, mark);

    expect(cache.peek('orders')?.state.messages).toBe(7);
    expect(cache.peek('payments')?.state.messages).toBe(4);
  });

  it('caches nothing with a TTL of 0', async () => {
    const cache = new StreamInfoCache(0, clock);
    await cache.get('orders', async () => info(1));
    expect((await cache.get('orders', async () => info(2))).state.messages).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('keeps the config object of a stream whose config did not change, through a list refresh', () => {
    // Arrange
    const listed = (maxMsgs: number, messages: number) =>
      JSON.parse(
        JSON.stringify({ config: { name: 'orders', subjects: ['orders.>'], max_msgs: maxMsgs }, state: { messages } }),
      ) as StreamInfo;
    const cache = new StreamInfoCache(100, clock);
    cache.refreshFromList([listed(10, 1)], cache.mark());
    const first = cache.peek('orders');

    // Act
    cache.refreshFromList([listed(10, 2)], cache.mark());
    const same = cache.peek('orders');
    cache.refreshFromList([listed(20, 3)], cache.mark());
    const changed = cache.peek('orders');

    // Assert
    expect(same?.state.messages).toBe(2);
    expect(same?.config).toBe(first?.config);
    expect(changed?.config).not.toBe(first?.config);
    expect(changed?.config.max_msgs).toBe(20);
    expect(Object.isFrozen(changed?.config)).toBe(true);
  });

  it('returns an info of a replicated stream that names no leader, but does not keep it', async () => {
    const cache = new StreamInfoCache(100, clock);
    const leaderless = {
      config: { name: 'orders', num_replicas: 3 },
      cluster: { name: 'c' },
      state: { messages: 1 },
    } as unknown as StreamInfo;
    const led = { ...leaderless, cluster: { name: 'c', leader: 'n2' } } as unknown as StreamInfo;

    const first = await cache.get('orders', async () => leaderless);
    const next = await cache.get('orders', async () => led);

    expect(first.cluster?.leader).toBeUndefined();
    expect(next.cluster?.leader).toBe('n2');
    expect(cache.peek('orders')?.cluster?.leader).toBe('n2');
  });

  it('forgets a stream it never saw without a mark per name, and no list in flight stores it', () => {
    const cache = new StreamInfoCache(100, clock);
    const mark = cache.mark();

    for (let i = 0; i < 1_000; i++) cache.forget(`made_up_${i}`);
    cache.refreshFromList([info(7)], mark);

    expect(cache.peek('orders')).toBeUndefined();
    expect((cache as unknown as { generations: Map<string, number> }).generations.size).toBe(0);
  });

  it('forgets a stream it holds as delete does', async () => {
    const cache = new StreamInfoCache(100, clock);
    await cache.get('orders', async () => info(1));

    cache.forget('orders');

    expect(cache.peek('orders')).toBeUndefined();
  });
});
