import type { ServerConsumerInfo } from '../server/server-consumer.js';

/** A stream's consumers as listed by one `CONSUMER.LIST` (by name), or why they could not be. */
export type ListedConsumers = ReadonlyMap<string, ServerConsumerInfo> | Error;

/** The latest consumer facts of one stream: what its list gave, and when it was read. */
export interface ConsumerFacts {
  listed: ListedConsumers;
  /** When the list was read (ms since the epoch). */
  readAt: number;
  /** The tick (count of {@link ConsumerReads.due} calls) that read it. */
  tick: number;
}

/**
 * Which streams' consumers a monitor tick reads, and the latest facts of each. The server has
 * nothing cheaper than one `CONSUMER.LIST` per stream, so with `perTick` above 0 a tick reads at
 * most that many streams' consumers and the others keep their latest facts (their age is in each
 * health record). The streams whose facts are evidently out of date go first: never read, a failed
 * read, or a consumer count on the server (from the stream list, free) that differs from the
 * listed one (a consumer created or deleted since); then the oldest reads. An evidently stale
 * stream counts as read one round (`ceil(streams / perTick)` ticks) earlier than it was, not as
 * never read: so streams whose consumers come and go on every tick (ephemeral consumers) cannot
 * starve the others, and every stream is read at least once every two rounds, once a round while
 * no count changes. With `perTick` 0 every tick reads them all.
 */
export class ConsumerReads {
  private readonly facts = new Map<string, ConsumerFacts>();
  private tick = 0;

  /** @param perTick at most this many streams' consumers per tick; 0 reads all of them on every tick */
  constructor(private readonly perTick: number) {}

  /**
   * The streams to read this tick, among `streams` (each stream that declares consumers, with the
   * consumer count the stream list gave). Forgets the facts of streams no longer among them.
   */
  due(streams: ReadonlyMap<string, number>): string[] {
    this.tick++;
    for (const name of this.facts.keys()) if (!streams.has(name)) this.facts.delete(name);
    const names = [...streams.keys()];
    if (this.perTick === 0 || names.length <= this.perTick) return names;
    const round = Math.ceil(names.length / this.perTick);
    const rank = (name: string): number => {
      const known = this.facts.get(name);
      if (!known) return -Infinity;
      const stale = known.listed instanceof Error || known.listed.size !== streams.get(name);
      return stale ? known.tick - round : known.tick;
    };
    const ranked = names.map((name) => ({ name, rank: rank(name) }));
    // Array.prototype.sort is stable: streams of equal rank keep the stream list's order.
    ranked.sort((a, b) => a.rank - b.rank);
    return ranked.slice(0, this.perTick).map((r) => r.name);
  }

  /** Keeps what one stream's consumer list gave at `readAt`, in the current tick. */
  record(stream: string, listed: ListedConsumers, readAt: number): void {
    this.facts.set(stream, { listed, readAt, tick: this.tick });
  }

  /** The latest facts of each stream read so far (and not forgotten). */
  latest(): ReadonlyMap<string, ConsumerFacts> {
    return this.facts;
  }
}

/**
 * How long a consumer changed by another client can go unseen (the server announces no consumer
 * update): one interval when every tick reads every stream's consumers, else two rounds of
 * `ceil(streams / perTick)` ticks, the longest a stream can wait for its read (see {@link ConsumerReads}).
 *
 * @param streams how many streams declare consumers
 */
export function consumerChangesSeenWithinMs(intervalMs: number, perTick: number, streams: number): number {
  if (perTick === 0 || streams <= perTick) return intervalMs;
  return 2 * Math.ceil(streams / perTick) * intervalMs;
}
