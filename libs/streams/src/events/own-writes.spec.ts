import { OwnWrites } from './own-writes.js';

describe('OwnWrites', () => {
  let clock = 0;
  const writes = () => new OwnWrites(() => clock);

  beforeEach(() => {
    clock = 1_000;
  });

  it('matches the advisory that follows our write', () => {
    const own = writes();
    own.written('STREAM.UPDATE', 'orders', 5);

    expect(own.isOwn('orders')).toBe(true);
    expect(own.isOwn('orders')).toBe(false); // one write, one advisory
  });

  it('matches an advisory that came while our write was in flight', () => {
    const own = writes();
    clock = 1_002;
    expect(own.isOwn('orders')).toBe(false); // not known yet: the cache entry is dropped
    clock = 1_004;
    own.written('STREAM.UPDATE', 'orders', 5); // started at 999: the advisory was ours

    expect(own.isOwn('orders')).toBe(false); // so no expectation is left for the next change
  });

  it('does not claim an advisory that arrived before the write started', () => {
    const own = writes();
    expect(own.isOwn('orders')).toBe(false);
    clock = 1_100;
    own.written('STREAM.UPDATE', 'orders', 5);

    expect(own.isOwn('orders')).toBe(true);
  });

  it('ignores writes the server does not announce, and other streams', () => {
    const own = writes();
    own.written('STREAM.PURGE', 'orders', 5);
    own.written('STREAM.INFO', 'orders', 5);
    own.written('STREAM.UPDATE', 'payments', 5);

    expect(own.isOwn('orders')).toBe(false);
  });

  it('forgets an expectation whose advisory never came', () => {
    const own = writes();
    own.written('STREAM.CREATE', 'orders', 5);
    clock += 5_000;

    expect(own.isOwn('orders')).toBe(false);
  });
});
