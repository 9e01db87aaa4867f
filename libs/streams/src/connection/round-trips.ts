import type { NatsConnection } from 'nats';

/**
 * The round trips in flight on one connection. The `nats` client never settles a round trip
 * whose connection closes: the connection's close rejects them here. (A reaction chained per
 * call onto the long-lived `closed()` promise would stay on it until the connection closes:
 * about 0.5 kB per call.)
 */
export class RoundTrips {
  private readonly pending = new Set<(err: Error) => void>();

  /** The round-trip time of `nc` in ms, as `nc.rtt()` measures it; rejected by {@link rejectAll} first. */
  measure(nc: NatsConnection): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.add(reject);
      nc.rtt()
        .then(resolve, reject)
        .finally(() => this.pending.delete(reject));
    });
  }

  /** Rejects every round trip still in flight: their connection closed. */
  rejectAll(): void {
    for (const reject of this.pending) reject(new Error('the NATS connection closed before the round trip completed'));
    this.pending.clear();
  }
}
