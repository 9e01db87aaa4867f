import type { NatsConnection } from 'nats';
import { setTimeout as delay } from 'node:timers/promises';

/** What a {@link LivePublisher} did. */
export interface Published {
  /** Payloads the server acknowledged (stored), in order. */
  acked: string[];
  /** Publishes that failed or got no acknowledgement in time (they may or may not be stored). */
  failed: number;
}

/**
 * Publishes to a subject with JetStream acknowledgements, one after the other, until stopped (at
 * most `max`): payloads `<prefix><n>`. A publish the server refuses (no stream captures the
 * subject, as while a migration holds it) or does not acknowledge in time counts as failed.
 *
 * @example
 * const publisher = LivePublisher.start(nc, 'orders.live', 'L');
 * // ... migrate ...
 * const { acked } = await publisher.stop();
 */
export class LivePublisher {
  private readonly acked: string[] = [];
  private failed = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  private constructor(nc: NatsConnection, subject: string, prefix: string, max: number) {
    this.done = this.loop(nc, subject, prefix, max);
  }

  /** Starts publishing to `subject`. */
  static start(nc: NatsConnection, subject: string, prefix: string, max = 50_000): LivePublisher {
    return new LivePublisher(nc, subject, prefix, max);
  }

  /** How many publishes were acknowledged so far. */
  get ackedCount(): number {
    return this.acked.length;
  }

  /** Stops after the publish in flight and tells what was published. */
  async stop(): Promise<Published> {
    this.stopped = true;
    await this.done;
    return { acked: [...this.acked], failed: this.failed };
  }

  private async loop(nc: NatsConnection, subject: string, prefix: string, max: number): Promise<void> {
    const js = nc.jetstream();
    for (let n = 0; !this.stopped && n < max; n++) {
      const payload = `${prefix}${n}`;
      try {
        await js.publish(subject, new TextEncoder().encode(payload), { timeout: 1_000 });
        this.acked.push(payload);
        await delay(2);
      } catch {
        this.failed += 1;
        // Refused while the stream is held: try again shortly, without a storm.
        await delay(20);
      }
    }
  }
}
