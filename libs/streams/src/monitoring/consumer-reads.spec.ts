import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { ConsumerReads } from './consumer-reads.js';

/** A listing of `count` consumers, as one `CONSUMER.LIST` gives it. */
function listing(count: number): ReadonlyMap<string, ServerConsumerInfo> {
  return new Map(Array.from({ length: count }, (_, i) => [`c${i}`, { name: `c${i}` } as ServerConsumerInfo]));
}

/** Streams a..f each with `count` consumers on the server. */
function streams(count = 2, names = ['a', 'b', 'c', 'd', 'e', 'f']): Map<string, number> {
  return new Map(names.map((name) => [name, count]));
}

/** Runs `ticks` ticks, recording each due stream as read with 2 consumers; returns what each tick read. */
function run(reads: ConsumerReads, ticks: number, first = 1): string[][] {
  const seen: string[][] = [];
  for (let tick = first; tick < first + ticks; tick++) {
    const due = reads.due(streams());
    for (const name of due) reads.record(name, listing(2), tick);
    seen.push(due);
  }
  return seen;
}

describe('ConsumerReads', () => {
  it('reads every stream on every tick with perTick 0', () => {
    // Arrange
    const reads = new ConsumerReads(0);

    // Act
    const seen = run(reads, 3);

    // Assert
    expect(seen).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f'],
      ['a', 'b', 'c', 'd', 'e', 'f'],
      ['a', 'b', 'c', 'd', 'e', 'f'],
    ]);
  });

  it('reads at most perTick streams per tick, each once every ceil(streams / perTick) ticks, oldest first', () => {
    // Arrange
    const reads = new ConsumerReads(4);

    // Act
    const seen = run(reads, 4);

    // Assert: e and f (never read) before the others; then the oldest reads, ties in list order.
    expect(seen).toEqual([
      ['a', 'b', 'c', 'd'],
      ['e', 'f', 'a', 'b'],
      ['c', 'd', 'a', 'b'],
      ['e', 'f', 'a', 'b'],
    ]);
  });

  it('reads first a stream whose consumer count changed, never read, or whose read failed', () => {
    // Arrange
    const reads = new ConsumerReads(2);
    run(reads, 3); // every stream read once, a and b at tick 1
    reads.record('c', new Error('timeout'), 4);

    // Act: e's count changed on the server (a consumer deleted) and g is new.
    const due = reads.due(new Map([...streams(), ['e', 1], ['g', 2]]));
    const next = reads.due(new Map([...streams(), ['e', 1], ['g', 2]]));

    // Assert
    expect(due).toEqual(['c', 'e']);
    expect(next).toEqual(['c', 'e']); // not recorded: still out of date
    reads.record('c', listing(2), 5);
    reads.record('e', listing(1), 5);
    expect(reads.due(new Map([...streams(), ['e', 1], ['g', 2]]))).toEqual(['g', 'a']);
  });

  it('forgets the facts of a stream that no longer declares consumers or is gone', () => {
    // Arrange
    const reads = new ConsumerReads(0);
    run(reads, 1);

    // Act
    reads.due(streams(2, ['a', 'b']));

    // Assert
    expect([...reads.latest().keys()]).toEqual(['a', 'b']);
  });

  it('keeps the latest facts of every stream, with the time of their read', () => {
    // Arrange
    const reads = new ConsumerReads(3);

    // Act
    run(reads, 2);

    // Assert: a, b, c at tick 1; d, e, f at tick 2.
    const times = Object.fromEntries([...reads.latest()].map(([name, facts]) => [name, facts.readAt]));
    expect(times).toEqual({ a: 1, b: 1, c: 1, d: 2, e: 2, f: 2 });
  });
});
