import type { ServerConsumerInfo } from '../server/server-consumer.js';

/** A stream's consumers as listed by one `CONSUMER.LIST` (by name), or why they could not be. */
export type ListedConsumers = ReadonlyMap<string, ServerConsumerInfo> | Error;

/** The latest consumer facts of one stream: what its list gave, and when it was read. */
export interface ConsumerFacts {
  listed: ListedConsumers;
  /** When the list was read (ms since the epoch). */
  readAt: number;
}

/**
 * Which streams' consumers a monitor tick reads, and the latest facts of each. The server has
 * nothing cheaper than one `CONSUMER.LIST` per stream, so with `perTick` above 0 a tick reads at
 * most that many streams' consumers and the others keep their latest facts (their age is in each
 * health record). The streams whose facts are evidently out of date go first: never read, a failed
 * read, or a consumer count on the server (from the stream list, free) that differs from the
 * listed one (a consumer created or deleted since); then the oldest reads. So every stream is read
 * at least once every `ceil(streams / perTick)` ticks. With `perTick` 0 every tick reads them all.
 */
export class ConsumerReads {
  private readonly facts = new Map<string, ConsumerFacts>();

  /** @param perTick at most this many streams' consumers per tick; 0 reads all of them on every tick */
  constructor(private readonly perTick: number) {}

  /**
   * The streams to read this tick, among `streams` (each stream that declares consumers, with the
   * consumer count the stream list gave). Forgets the facts of streams no longer among them.
   */
  due(streams: ReadonlyMap<string, number>): string[] {
    for (const name of this.facts.keys()) if (!streams.has(name)) this.facts.delete(name);
    const names = [...streams.keys()];
    if (this.perTick === 0 || names.length <= this.perTick) return names;
    const rank = (name: string): number => {
      const known = this.facts.get(name);
      // Evidently out of date: -1 sorts before every read time.
      if (!known || known.listed instanceof Error || known.listed.size !== streams.get(name)) return -1;
      return known.readAt;
    };
    const ranked = names.map((name) => ({ name, rank: rank(name) }));
    // Array.prototype.sort is stable: streams of equal rank keep the stream list's order.
    ranked.sort((a, b) => a.rank - b.rank);
    return ranked.slice(0, this.perTick).map((r) => r.name);
  }

  /** Keeps what one stream's consumer list gave at `readAt`. */
  record(stream: string, listed: ListedConsumers, readAt: number): void {
    this.facts.set(stream, { listed, readAt });
  }

  /** The latest facts of each stream read so far (and not forgotten). */
  latest(): ReadonlyMap<string, ConsumerFacts> {
    return this.facts;
  }
}
