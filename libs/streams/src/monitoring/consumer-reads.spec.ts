import type { ServerConsumerInfo } from '../server/server-consumer.js';
import { ConsumerReads, consumerChangesSeenWithinMs } from './consumer-reads.js';

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

  it('reads first a stream never read, then one whose read failed or whose consumer count changed, then the oldest', () => {
    // Arrange: every stream read once, a and b in tick 1, c and d in 2, e and f in 3.
    const reads = new ConsumerReads(2);
    run(reads, 3);
    reads.record('c', new Error('timeout'), 4);
    const now = new Map([...streams(), ['e', 1], ['g', 2]]); // e lost a consumer; g is new

    // Act
    const first = reads.due(now);
    const second = reads.due(now); // nothing recorded: the same streams are still out of date

    // Assert: round = ceil(7 / 2) = 4 ticks, so c (read in 3) and e (read in 3) rank as if read in -1.
    expect(first).toEqual(['g', 'c']);
    expect(second).toEqual(['g', 'c']);
  });

  it('does not let streams whose consumer counts change on every tick starve the others', () => {
    // Arrange: a and b gain a consumer before every tick; c..f never change.
    const reads = new ConsumerReads(2);
    const counts = new Map(streams());
    const readIn = new Map<string, number[]>();

    // Act
    for (let tick = 1; tick <= 12; tick++) {
      counts.set('a', tick + 10);
      counts.set('b', tick + 10);
      for (const name of reads.due(counts)) {
        reads.record(name, listing(2), tick);
        readIn.set(name, [...(readIn.get(name) ?? []), tick]);
      }
    }

    // Assert: every stream is read, at most two rounds (2 x 3 ticks) apart.
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const ticks = [0, ...(readIn.get(name) ?? []), 13];
      const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
      expect({ name, longest: Math.max(...gaps) <= 6 }).toEqual({ name, longest: true });
    }
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

describe('consumerChangesSeenWithinMs', () => {
  it('is one interval when every tick reads every stream, else two rounds of ticks', () => {
    expect(consumerChangesSeenWithinMs(5_000, 0, 1_000)).toBe(5_000);
    expect(consumerChangesSeenWithinMs(5_000, 100, 100)).toBe(5_000);
    expect(consumerChangesSeenWithinMs(5_000, 100, 101)).toBe(20_000);
    expect(consumerChangesSeenWithinMs(5_000, 100, 1_000)).toBe(100_000);
  });
});
