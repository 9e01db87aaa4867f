import { StreamsError } from './streams.error.js';

/**
 * A migration (`onConflict: 'migrate'`) could not go on. `holdingStream` names the stream that
 * holds every message at the point it stopped: the original (nothing was deleted; a migration that
 * fails before the original is deleted is rolled back, so the original captures its subjects
 * again), or the temporary copy `<name>__migrating` (the original was deleted; ensuring the
 * stream again, from any instance, finishes the migration from where it stopped).
 */
export class StreamMigrationError extends StreamsError {
  /** Why it stopped. */
  readonly reason: string;

  constructor(
    readonly stream: string,
    /** The stream that holds every message now (the original, or the temporary copy). */
    readonly holdingStream: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Migration of stream "${stream}" stopped: ${reason}. Every message is in stream "${holdingStream}"`, options);
    this.reason = reason;
  }
}
