import type { DriftedField } from './stream-drift.error.js';
import { StreamsError } from './streams.error.js';

/**
 * A consumer declared with a stream in `mode: 'verify'` is missing or differs from its declaration.
 * The library never creates nor changes such a consumer: change it (or the declaration) by hand.
 */
export class ConsumerDriftError extends StreamsError {
  constructor(
    readonly stream: string,
    /** The durable name of the consumer. */
    readonly consumer: string,
    /** Each differing field, with the server's value and the declared one; empty when the consumer is missing. */
    readonly changes: DriftedField[],
    /** Whether the consumer does not exist at all. */
    readonly missing: boolean,
  ) {
    super(
      missing
        ? `Consumer "${consumer}" of stream "${stream}" does not exist (mode 'verify', so it was not created)`
        : `Consumer "${consumer}" of stream "${stream}" differs from its declaration (mode 'verify', so it was not changed): ` +
            changes.map((c) => `${c.field} ${JSON.stringify(c.current)} (declared ${JSON.stringify(c.desired)})`).join('; '),
    );
  }
}
